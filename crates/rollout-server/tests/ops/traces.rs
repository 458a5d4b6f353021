//! Traces: with `[telemetry] otlp_endpoint` set, `rollout serve` exports its spans over OTLP/HTTP
//! (JSON) and flushes them on SIGTERM. One transition makes one trace holding the request span
//! (with the request id), the use case's span and the store's, both with the procedure id.

use std::time::Duration;

use base64::Engine;

use crate::collector::{Collector, Span};
use crate::common::{Backend, Db, serve};
use crate::ops_both;
use crate::seed;

/// The uuid inside a GraphQL global id (`base64url("Procedure:<uuid>")`), as spans record it.
pub fn uuid_of(global_id: &str) -> String {
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(global_id)
        .expect("a base64url global id");
    let text = String::from_utf8(bytes).expect("UTF-8");
    text.split_once(':').expect("type:uuid").1.to_owned()
}

/// The request span of the request with `request_id`; panics with what arrived otherwise.
pub fn request_span<'a>(spans: &'a [Span], request_id: &str) -> &'a Span {
    spans
        .iter()
        .find(|s| s.name.ends_with("/graphql") && s.attribute("request_id") == Some(request_id))
        .unwrap_or_else(|| {
            let names: Vec<_> = spans.iter().map(|s| (&s.name, &s.attributes)).collect();
            panic!("no request span with request_id {request_id}; received {names:#?}")
        })
}

ops_both!(
    a_transition_is_one_trace_from_request_to_store,
    |backend| async move {
        let collector = Collector::start().await;
        let db = Db::fresh(backend).await;
        let config = format!(
            "[telemetry]\notlp_endpoint = \"{}\"\nservice_name = \"rollout-ops\"\n",
            collector.endpoint()
        );
        let mut served = serve(&db, &config, &[]);
        let po = seed::project_office(&served).await;
        let procedure = seed::procedure(&served, &po, "SOMU-0001").await;
        let request_id = "ops-trace-transition-1";
        let (echoed, body) = seed::post_with_id(
            &served,
            &po,
            request_id,
            &seed::transition_request(&procedure),
        )
        .await;
        assert_eq!(
            echoed, request_id,
            "the server keeps a well-formed request id"
        );
        assert_eq!(
            body["data"]["transitionProcedure"]["procedure"]["version"], 2,
            "{body}"
        );
        // A caller that traces: its `traceparent` makes the request span a child of its span.
        let remote_trace = "4bf92f3577b34da6a3ce929d0e0e4736";
        let remote_span = "00f067aa0ba902b7";
        let joined = reqwest::Client::new()
            .post(format!("{}/graphql", served.url))
            .bearer_auth(&po)
            .header("x-request-id", "ops-trace-joined-1")
            .header("traceparent", format!("00-{remote_trace}-{remote_span}-01"))
            .json(&serde_json::json!({ "query": "{ viewer { email } }" }))
            .send()
            .await
            .expect("POST /graphql");
        assert_eq!(joined.status().as_u16(), 200);
        served.sigterm();
        // Off the runtime's worker: the collector, served on this runtime, must answer the flush.
        let code = tokio::task::block_in_place(|| served.wait_exit(Duration::from_secs(60)));
        assert_eq!(code, Some(0));

        // Everything below was flushed at shutdown: no waiting on the batch interval.
        let spans = collector.spans();
        let request = request_span(&spans, request_id);
        assert_eq!(request.name, "POST /graphql");
        assert_eq!(request.kind, 2, "a server span: {request:?}");
        assert_eq!(request.service, "rollout-ops");
        assert_eq!(request.attribute("status"), Some("200"), "{request:?}");
        let trace: Vec<&Span> = spans
            .iter()
            .filter(|s| s.trace_id == request.trace_id)
            .collect();
        let procedure_id = uuid_of(&procedure);
        let use_case = trace
            .iter()
            .find(|s| s.name == "app.transition")
            .unwrap_or_else(|| panic!("no app.transition span in the request's trace: {trace:#?}"));
        assert_eq!(
            use_case.attribute("procedure_id"),
            Some(procedure_id.as_str())
        );
        let store = trace
            .iter()
            .find(|s| s.name == "store.apply_transition")
            .unwrap_or_else(|| panic!("no store.apply_transition span in the trace: {trace:#?}"));
        assert_eq!(store.attribute("procedure_id"), Some(procedure_id.as_str()));
        assert_eq!(
            store.parent_span_id, use_case.span_id,
            "the store call is a child of the use case"
        );
        let joined = request_span(&spans, "ops-trace-joined-1");
        assert_eq!(
            (joined.trace_id.as_str(), joined.parent_span_id.as_str()),
            (remote_trace, remote_span),
            "the caller's trace continues"
        );
        // The same span name on both backends, each emitted by its own store crate.
        let store_crate = match backend {
            Backend::Sqlite => "rollout_store_sqlite",
            Backend::Postgres => "rollout_store_postgres",
        };
        assert!(
            store
                .attribute("code.module.name")
                .is_some_and(|m| m.starts_with(store_crate)),
            "{store:?}"
        );
        // Only rollout's own spans are exported: no HTTP client, pool or exporter internals.
        let foreign: Vec<_> = spans
            .iter()
            .filter(|s| {
                !s.attribute("code.module.name")
                    .is_some_and(|m| m.starts_with("rollout"))
            })
            .map(|s| (&s.name, s.attribute("code.module.name")))
            .collect();
        assert!(foreign.is_empty(), "spans from other crates: {foreign:?}");
    }
);

ops_both!(
    a_collector_that_is_down_neither_stops_nor_holds_the_server,
    |backend| async move {
        // A port nothing listens on: bound, then let go.
        let closed = std::net::TcpListener::bind("127.0.0.1:0")
            .expect("bind")
            .local_addr()
            .expect("address");
        let db = Db::fresh(backend).await;
        let config =
            format!("[telemetry]\notlp_endpoint = \"http://otel:hunter2-CANARY@{closed}\"\n");
        let mut served = serve(&db, &config, &[]);
        let po = seed::project_office(&served).await;
        seed::procedure(&served, &po, "SOMU-0003").await;
        served.sigterm();
        let code = tokio::task::block_in_place(|| served.wait_exit(Duration::from_secs(60)));
        assert_eq!(
            code,
            Some(0),
            "the server stops cleanly without its collector"
        );
        let logs = served.logs();
        assert!(
            logs.iter()
                .any(|l| l.contains("traces could not be exported")
                    && l.contains("http://otel:***@")),
            "a failed export is logged with the endpoint's password hidden: {logs:#?}"
        );
        assert!(
            logs.iter().all(|l| !l.contains("hunter2-CANARY")),
            "{logs:#?}"
        );
    }
);
