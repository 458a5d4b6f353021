//! Logs and traces: one `tracing` subscriber with two independent layers.
//!
//! - Logs go to stderr (stdout belongs to command output such as `rollout schema`), filtered by
//!   `ROLLOUT_LOG`/`log` and formatted as text or JSON. A line logged inside a request carries
//!   the request span's fields (`request_id`, and `trace_id` when traces are on).
//! - Traces, when `[telemetry] otlp_endpoint` is set, are exported over OTLP/HTTP (JSON) by a
//!   batch processor running on the tokio runtime. Only `rollout*` spans at `info` or above are
//!   exported, whatever the log filter says: the request span, one per use case (`app.*`) and
//!   one per store call (`store.*`). Dependencies' spans (hyper, sqlx, the exporter's own HTTP
//!   client) stay out, which also keeps the exporter from tracing itself.
//!
//! Metrics are not set up here. [`Telemetry::shutdown`] flushes the spans still queued; `main`
//! calls it once the command (for `serve`, the graceful shutdown) has finished.

use std::io::IsTerminal;
use std::time::Duration;

use opentelemetry::propagation::{Extractor, TextMapPropagator};
use opentelemetry::trace::{TraceContextExt, TracerProvider as _};
use opentelemetry_otlp::{Protocol, WithExportConfig};
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::error::OTelSdkResult;
use opentelemetry_sdk::propagation::TraceContextPropagator;
use opentelemetry_sdk::trace::span_processor_with_async_runtime::BatchSpanProcessor;
use opentelemetry_sdk::trace::{SdkTracerProvider, SpanData, SpanExporter};
use tracing::Level;
use tracing_opentelemetry::OpenTelemetrySpanExt;
use tracing_subscriber::filter::Targets;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, Layer, Registry};

use crate::config::LogFormat;
use crate::error::CliError;
use crate::telemetry_config::{OtlpConfig, TelemetryConfig};

/// How long one export may take before it is abandoned (and at shutdown, how long a collector
/// that does not answer can delay the exit).
const EXPORT_TIMEOUT: Duration = Duration::from_secs(5);

/// The installed telemetry; hold it until the command ends, then call [`Telemetry::shutdown`].
#[derive(Debug)]
#[must_use = "spans are only flushed by Telemetry::shutdown"]
pub struct Telemetry {
    provider: Option<SdkTracerProvider>,
}

impl Telemetry {
    /// Exports the spans still queued and stops the exporter. Call it from outside the async
    /// runtime (it blocks) while the runtime is still alive (the export runs on it).
    pub fn shutdown(self) {
        if let Some(provider) = self.provider
            && let Err(e) = provider.shutdown()
        {
            tracing::warn!(error = %e, "traces could not be flushed at shutdown");
        }
    }
}

/// Installs the global subscriber. `filter` uses `tracing` filter syntax (`info`,
/// `rollout_app=debug,sqlx=warn`). With trace export configured, it must be called inside a
/// tokio runtime (the batch exporter is spawned on it). Fails when the filter does not parse,
/// the exporter cannot be built or a subscriber is already set.
pub fn init(
    filter: &str,
    format: LogFormat,
    traces: &TelemetryConfig,
) -> Result<Telemetry, CliError> {
    let filter = EnvFilter::try_new(filter)
        .map_err(|e| CliError::user(format!("invalid log filter {filter:?}: {e}")))?;
    let logs = tracing_subscriber::fmt::layer()
        // Colour codes only for a terminal: redirected logs must stay plain text.
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(std::io::stderr);
    // Boxed, so that either format and the optional trace layer make one list of layers.
    let mut layers: Vec<Box<dyn Layer<Registry> + Send + Sync>> = vec![match format {
        LogFormat::Text => logs.with_filter(filter).boxed(),
        LogFormat::Json => logs.json().with_filter(filter).boxed(),
    }];
    let provider = traces.otlp.as_ref().map(provider).transpose()?;
    if let Some(p) = &provider {
        layers.push(
            tracing_opentelemetry::layer()
                .with_tracer(p.tracer("rollout"))
                .with_filter(traced())
                .boxed(),
        );
    }
    tracing_subscriber::registry()
        .with(layers)
        .try_init()
        .map_err(|e| CliError::Internal {
            context: "cannot install the log subscriber".to_owned(),
            source: e.into(),
        })?;
    if let Some(otlp) = &traces.otlp {
        tracing::info!(endpoint = %otlp.shown_endpoint(), service = %otlp.service_name, "exporting traces over OTLP");
    }
    Ok(Telemetry { provider })
}

/// What is exported: rollout's own crates at `info` and above. A static filter (each callsite is
/// decided once at registration), like the log filter: with a per-callsite closure
/// (`filter_fn`), spans of a PostgreSQL-backed server were now and then disabled for both
/// layers (the per-layer filter state left over from a check no event followed), and the
/// request span went missing from logs and traces alike (seen in the ops traces test).
fn traced() -> Targets {
    Targets::new().with_targets(TRACED_CRATES.map(|c| (c, Level::INFO)))
}

/// The crates whose spans are exported.
const TRACED_CRATES: [&str; 9] = [
    "rollout_server",
    "rollout_app",
    "rollout_graphql",
    "rollout_web",
    "rollout_scheduler",
    "rollout_auth",
    "rollout_store",
    "rollout_store_sqlite",
    "rollout_store_postgres",
];

fn provider(config: &OtlpConfig) -> Result<SdkTracerProvider, CliError> {
    let exporter = opentelemetry_otlp::SpanExporter::builder()
        .with_http()
        .with_protocol(Protocol::HttpJson)
        .with_endpoint(config.traces_url.clone())
        .with_timeout(EXPORT_TIMEOUT)
        .build()
        .map_err(|e| {
            CliError::user(format!(
                "[telemetry] cannot export traces to {}: {}",
                config.shown_endpoint(),
                redact(&e.to_string(), config)
            ))
        })?;
    let exporter = Reported {
        inner: exporter,
        config: config.clone(),
    };
    let processor =
        BatchSpanProcessor::builder(exporter, opentelemetry_sdk::runtime::Tokio).build();
    Ok(SdkTracerProvider::builder()
        .with_span_processor(processor)
        .with_resource(
            Resource::builder()
                .with_service_name(config.service_name.clone())
                .build(),
        )
        .build())
}

/// `message` with the exporter's URL in its redacted form.
fn redact(message: &str, config: &OtlpConfig) -> String {
    message.replace(&config.traces_url, &config.shown_endpoint())
}

/// The OTLP exporter, with failed exports logged (the SDK's own diagnostics are compiled out:
/// they could print the endpoint with its credentials).
#[derive(Debug)]
struct Reported<E> {
    inner: E,
    config: OtlpConfig,
}

impl<E: SpanExporter> SpanExporter for Reported<E> {
    async fn export(&self, batch: Vec<SpanData>) -> OTelSdkResult {
        let spans = batch.len();
        let result = self.inner.export(batch).await;
        if let Err(e) = &result {
            tracing::warn!(
                spans,
                endpoint = %self.config.shown_endpoint(),
                error = %redact(&e.to_string(), &self.config),
                "traces could not be exported"
            );
        }
        result
    }

    fn shutdown_with_timeout(&self, timeout: Duration) -> OTelSdkResult {
        self.inner.shutdown_with_timeout(timeout)
    }

    fn force_flush(&self) -> OTelSdkResult {
        self.inner.force_flush()
    }

    fn set_resource(&mut self, resource: &Resource) {
        self.inner.set_resource(resource);
    }
}

/// Continues the caller's trace: when `headers` carry a W3C `traceparent` (from a proxy or a
/// client that traces), `span` becomes a child of that remote span. Without it, or with traces
/// off, nothing changes and the span starts a trace of its own.
pub fn adopt_remote_parent(span: &tracing::Span, headers: &axum::http::HeaderMap) {
    if !headers.contains_key("traceparent") {
        return;
    }
    let parent = TraceContextPropagator::new().extract(&Headers(headers));
    if parent.span().span_context().is_valid() {
        // Fails only when no OpenTelemetry layer is installed: then there is no trace to join.
        let _ = span.set_parent(parent);
    }
}

/// Request headers as an OpenTelemetry extractor.
struct Headers<'a>(&'a axum::http::HeaderMap);

impl Extractor for Headers<'_> {
    fn get(&self, key: &str) -> Option<&str> {
        self.0.get(key).and_then(|v| v.to_str().ok())
    }

    fn keys(&self) -> Vec<&str> {
        self.0.keys().map(|k| k.as_str()).collect()
    }
}

/// Records the trace id of `span` in its `trace_id` field (which the span must declare as
/// `tracing::field::Empty`), so that log lines inside it carry the id a trace backend shows.
/// Nothing is recorded when traces are off.
pub fn record_trace_id(span: &tracing::Span) {
    let context = span.context();
    let span_context = context.span().span_context().clone();
    if span_context.is_valid() {
        span.record("trace_id", tracing::field::display(span_context.trace_id()));
    }
}
