//! Tests of the `[http]` layer: environment over file over defaults, and the values refused.

use super::*;
use crate::http::{ConnectionLimits, ShutdownTiming};

fn env(pairs: &[(&str, &str)]) -> HashMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

#[test]
fn nothing_set_gives_the_defaults() {
    assert_eq!(HttpLayer::default().resolve(), Ok(HttpSettings::default()));
}

#[test]
fn environment_values_are_read_and_override_the_file() {
    let file: HttpLayer = toml::from_str(
        "introspection = true\nmax_depth = 20\nmax_batch = 5\ncors_origins = [\"https://a.example.jp\"]\n",
    )
    .unwrap();
    let env = HttpLayer::from_env(&env(&[
        ("ROLLOUT_HTTP_INTROSPECTION", "false"),
        ("ROLLOUT_HTTP_MAX_DEPTH", "12"),
        (
            "ROLLOUT_HTTP_CORS_ORIGINS",
            "https://b.example.jp, http://localhost:5173",
        ),
        ("ROLLOUT_HTTP_EXECUTION_TIMEOUT_SECS", "3"),
        ("ROLLOUT_HTTP_RATE_LIMIT_PER_SECOND", "5"),
        ("ROLLOUT_HTTP_MAX_ALIASES", ""),
    ]))
    .unwrap();
    let s = env.over(file).resolve().unwrap();
    assert!(!s.introspection);
    assert_eq!(
        (s.limits.max_depth, s.limits.max_batch, s.limits.max_aliases),
        (12, 5, 30)
    );
    assert_eq!(s.limits.execution_timeout, Duration::from_secs(3));
    let origins: Vec<_> = s
        .cors_origins
        .iter()
        .map(|o| o.header_value().to_str().unwrap())
        .collect();
    assert_eq!(origins, ["https://b.example.jp", "http://localhost:5173"]);
    let rate = s.rate_limit.unwrap();
    assert_eq!(
        (rate.replenish_interval, rate.burst.get()),
        (Duration::from_millis(200), 10)
    );
}

#[test]
fn rate_limiting_can_be_turned_off_or_given_a_burst() {
    let off = HttpLayer {
        rate_limit_per_second: Some(0),
        ..HttpLayer::default()
    };
    assert_eq!(off.resolve().unwrap().rate_limit, None);
    let burst = HttpLayer {
        rate_limit_burst: Some(7),
        ..HttpLayer::default()
    };
    let rate = burst.resolve().unwrap().rate_limit.unwrap();
    assert_eq!(
        (rate.replenish_interval, rate.burst.get()),
        (Duration::from_millis(20), 7)
    );
}

#[test]
fn connection_limits_and_the_authentication_budget_are_read() {
    let file: HttpLayer = toml::from_str(
        "header_read_timeout_secs = 2\nidle_timeout_secs = 30\nmax_connections = 64\nauth_failures_per_minute = 5\n",
    )
    .unwrap();
    let env = HttpLayer::from_env(&env(&[(
        "ROLLOUT_HTTP_AUTH_FAILURES_GLOBAL_PER_MINUTE",
        "50",
    )]))
    .unwrap();
    let s = env.over(file).resolve().unwrap();
    assert_eq!(
        s.connections,
        ConnectionLimits {
            header_read_timeout: Duration::from_secs(2),
            idle_timeout: Duration::from_secs(30),
            max_connections: 64,
        }
    );
    let budget = s.auth_failures.unwrap();
    assert_eq!((budget.per_client.get(), budget.global.get()), (5, 50));
    let off = HttpLayer {
        auth_failures_per_minute: Some(0),
        ..HttpLayer::default()
    };
    assert_eq!(off.resolve().unwrap().auth_failures, None);
    for bad in [
        HttpLayer {
            max_connections: Some(0),
            ..HttpLayer::default()
        },
        HttpLayer {
            header_read_timeout_secs: Some(0),
            ..HttpLayer::default()
        },
    ] {
        assert!(bad.resolve().is_err());
    }
}

#[test]
fn bad_values_name_the_setting() {
    let err = HttpLayer::from_env(&env(&[("ROLLOUT_HTTP_MAX_DEPTH", "deep")])).unwrap_err();
    assert_eq!(
        err.to_string(),
        "http setting ROLLOUT_HTTP_MAX_DEPTH = \"deep\" is not a whole number"
    );
    let err = HttpLayer {
        max_depth: Some(0),
        ..HttpLayer::default()
    }
    .resolve()
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "http setting max_depth = \"0\" is not at least 1"
    );
    let err = HttpLayer {
        cors_origins: Some(vec!["*".into()]),
        ..HttpLayer::default()
    }
    .resolve()
    .unwrap_err();
    assert!(
        err.to_string()
            .starts_with("http setting cors_origins: CORS origin \"*\""),
        "{err}"
    );
    assert!(toml::from_str::<HttpLayer>("max_dept = 3").is_err());
}

#[test]
fn shutdown_timing_is_read_and_the_delay_must_fit_in_the_grace() {
    assert_eq!(
        HttpLayer::default().resolve().unwrap().shutdown,
        ShutdownTiming {
            delay: Duration::ZERO,
            grace: Duration::from_secs(25),
        }
    );
    let env = HttpLayer::from_env(&env(&[
        ("ROLLOUT_HTTP_SHUTDOWN_DELAY_SECS", "5"),
        ("ROLLOUT_HTTP_SHUTDOWN_GRACE_SECS", "40"),
    ]))
    .unwrap();
    assert_eq!(
        env.resolve().unwrap().shutdown,
        ShutdownTiming {
            delay: Duration::from_secs(5),
            grace: Duration::from_secs(40),
        }
    );
    let err = HttpLayer {
        shutdown_delay_secs: Some(25),
        ..HttpLayer::default()
    }
    .resolve()
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "http setting shutdown_delay_secs = \"25\" is not shorter than shutdown_grace_secs"
    );
    let err = HttpLayer {
        shutdown_grace_secs: Some(0),
        ..HttpLayer::default()
    }
    .resolve()
    .unwrap_err();
    assert!(err.to_string().contains("shutdown_grace_secs"), "{err}");
}
