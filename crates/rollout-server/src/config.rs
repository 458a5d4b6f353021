//! Configuration: defaults in code, then a TOML file (`rollout.toml` in the working directory if
//! present, or the file named by `--config`), then `ROLLOUT_*` environment variables, then
//! command-line flags. Each layer only overrides the settings it names.
//!
//! The environment is passed in as a map rather than read here, so that precedence is tested
//! without mutating the process environment (which is racy across test threads). Every setting
//! is documented in `rollout.example.toml` at the repository root.
//!
//! The HTTP settings live in the file's `[http]` table and in `ROLLOUT_HTTP_*` variables; their
//! keys and values are `http::HttpLayer`'s to define. They have no flags, so they are resolved
//! apart from [`Layer`] (whose flag layer the command line builds).

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::database_url::DatabaseUrl;
use crate::http::{HttpLayer, HttpSettingError, HttpSettings};

/// The file read when `--config` is not given, if it exists.
pub const DEFAULT_CONFIG_FILE: &str = "rollout.toml";
pub const DEFAULT_DATABASE_URL: &str = "sqlite:rollout.db";
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8080";

/// How log lines are written to stderr.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line, for log collectors.
    Json,
}

/// The effective configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    pub database_url: DatabaseUrl,
    pub listen: SocketAddr,
    /// A workflow file replacing the embedded default.
    pub workflow: Option<PathBuf>,
    /// A `tracing` filter (`info`, `rollout=debug,sqlx=warn`); `None` lets each command choose
    /// (`info` for `serve`, `warn` for one-shot commands).
    pub log: Option<String>,
    pub log_format: LogFormat,
    /// Limits, introspection, CORS and rate limiting of the HTTP endpoint.
    pub http: HttpSettings,
    /// Single sign-on: accept JWTs from this identity provider (file only: `[oidc]`).
    pub oidc: Option<rollout_auth::OidcConfig>,
    /// Days after which an undecided approval request expires.
    pub approval_expiry_days: u32,
    /// Days from `scheduled` to release assumed by earliest release where history is thin.
    pub release_lead_days: u32,
    /// The e-mail address of the administrator created on first start.
    pub admin_email: String,
    /// Apply pending migrations on start (`serve`, `import`, `demo`, ...). Off for a server
    /// running as a role that may not change the schema: it then only checks that the schema
    /// is this build's, and `rollout migrate` runs separately as the schema's owner.
    pub migrate: bool,
    /// `[scheduler]` and `[email]`: reminders' evaluation and delivery.
    pub reminders: crate::reminder_config::ReminderConfig,
    /// `[analytics]`: programme targets and the forecast's window.
    pub analytics: rollout_app::analytics::AnalyticsSettings,
    /// `[quality]`: the quality map's thresholds file and the user-review rate.
    pub quality: crate::quality_config::QualityConfig,
    /// `[web]`: the dashboard's sessions and single sign-on.
    pub web: crate::web_config::WebConfig,
    /// `[telemetry]`: trace export over OTLP.
    pub telemetry: crate::telemetry_config::TelemetryConfig,
    /// `[metrics]`: the Prometheus listener, off unless set.
    pub metrics: crate::metrics_config::MetricsConfig,
}

/// Default of [`Config::approval_expiry_days`].
pub const DEFAULT_APPROVAL_EXPIRY_DAYS: u32 = 14;
/// Accepted values of [`Config::approval_expiry_days`]: ten years at most keeps every expiry
/// date well inside the instants the stores keep (`rollout_domain::bounds`).
pub const APPROVAL_EXPIRY_DAYS: std::ops::RangeInclusive<u32> = 1..=3650;
/// Default of [`Config::release_lead_days`].
pub const DEFAULT_RELEASE_LEAD_DAYS: u32 = 180;
/// Accepted values of [`Config::release_lead_days`] (up to ten years, like expiry).
pub const RELEASE_LEAD_DAYS: std::ops::RangeInclusive<u32> = 0..=3650;
/// Default of [`Config::admin_email`].
pub const DEFAULT_ADMIN_EMAIL: &str = "admin@rollout.local";

/// The settings a layer may give; `None` leaves the layer below in place.
#[derive(Debug, Default, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Layer {
    pub database_url: Option<DatabaseUrl>,
    pub listen: Option<String>,
    pub workflow: Option<PathBuf>,
    pub log: Option<String>,
    pub log_format: Option<LogFormat>,
    pub approval_expiry_days: Option<u32>,
    pub release_lead_days: Option<u32>,
    pub admin_email: Option<String>,
    pub migrate: Option<bool>,
}

impl Layer {
    /// The `ROLLOUT_*` variables of `env`.
    pub fn from_env(env: &HashMap<String, String>) -> Result<Self, ConfigError> {
        let get = |name: &str| env.get(name).filter(|v| !v.is_empty()).cloned();
        let log_format = match get("ROLLOUT_LOG_FORMAT") {
            None => None,
            Some(v) => Some(parse_log_format(&v)?),
        };
        Ok(Self {
            database_url: get("ROLLOUT_DATABASE_URL").map(DatabaseUrl::new),
            listen: get("ROLLOUT_LISTEN"),
            workflow: get("ROLLOUT_WORKFLOW").map(PathBuf::from),
            log: get("ROLLOUT_LOG"),
            log_format,
            approval_expiry_days: match get("ROLLOUT_APPROVAL_EXPIRY_DAYS") {
                None => None,
                Some(v) => Some(v.trim().parse().map_err(|_| ConfigError::Number {
                    name: "ROLLOUT_APPROVAL_EXPIRY_DAYS",
                    value: v,
                })?),
            },
            release_lead_days: match get("ROLLOUT_RELEASE_LEAD_DAYS") {
                None => None,
                Some(v) => Some(v.trim().parse().map_err(|_| ConfigError::Number {
                    name: "ROLLOUT_RELEASE_LEAD_DAYS",
                    value: v,
                })?),
            },
            admin_email: get("ROLLOUT_ADMIN_EMAIL"),
            migrate: match get("ROLLOUT_MIGRATE") {
                None => None,
                Some(v) => Some(parse_bool("ROLLOUT_MIGRATE", &v)?),
            },
        })
    }

    fn over(self, below: Layer) -> Layer {
        Layer {
            database_url: self.database_url.or(below.database_url),
            listen: self.listen.or(below.listen),
            workflow: self.workflow.or(below.workflow),
            log: self.log.or(below.log),
            log_format: self.log_format.or(below.log_format),
            approval_expiry_days: self.approval_expiry_days.or(below.approval_expiry_days),
            release_lead_days: self.release_lead_days.or(below.release_lead_days),
            admin_email: self.admin_email.or(below.admin_email),
            migrate: self.migrate.or(below.migrate),
        }
    }
}

/// Why the configuration could not be built. Messages name the source of the bad value; none
/// of them includes the database URL, which may carry a password.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config file {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("config file {path} is invalid: {message}")]
    Parse { path: PathBuf, message: String },
    #[error("listen address {value:?} is not an IP address and port like 127.0.0.1:8080")]
    Listen { value: String },
    #[error("log format {value:?} is not `text` or `json`")]
    LogFormat { value: String },
    #[error(transparent)]
    Http(#[from] HttpSettingError),
    #[error("{name} must be a whole number of days, not {value:?}")]
    Number { name: &'static str, value: String },
    #[error("{name} must be true or false, not {value:?}")]
    Bool { name: &'static str, value: String },
    #[error(
        "approval_expiry_days (ROLLOUT_APPROVAL_EXPIRY_DAYS) must be between {} and {} days, not {value}",
        APPROVAL_EXPIRY_DAYS.start(),
        APPROVAL_EXPIRY_DAYS.end()
    )]
    ExpiryDays { value: u32 },
    #[error(
        "release_lead_days (ROLLOUT_RELEASE_LEAD_DAYS) must be between {} and {} days, not {value}",
        RELEASE_LEAD_DAYS.start(),
        RELEASE_LEAD_DAYS.end()
    )]
    LeadDays { value: u32 },
    #[error("{0}")]
    Invalid(String),
    #[error("the [oidc] settings are invalid: {0}")]
    Oidc(String),
}

fn parse_log_format(value: &str) -> Result<LogFormat, ConfigError> {
    match value.trim().to_ascii_lowercase().as_str() {
        "text" => Ok(LogFormat::Text),
        "json" => Ok(LogFormat::Json),
        _ => Err(ConfigError::LogFormat {
            value: value.to_owned(),
        }),
    }
}

fn parse_bool(name: &'static str, value: &str) -> Result<bool, ConfigError> {
    match value.trim().to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" => Ok(true),
        "false" | "0" | "no" => Ok(false),
        _ => Err(ConfigError::Bool {
            name,
            value: value.to_owned(),
        }),
    }
}

/// What a config file gives: the settings of [`Layer`] and its `[http]` table.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct FileLayers {
    pub layer: Layer,
    pub http: HttpLayer,
    pub oidc: Option<rollout_auth::OidcConfig>,
    pub scheduler: crate::reminder_config::SchedulerLayer,
    pub email: Option<rollout_scheduler::delivery::EmailTransportConfig>,
    pub analytics: crate::analytics_config::AnalyticsLayer,
    pub quality: crate::quality_config::QualityLayer,
    pub web: crate::web_config::WebLayer,
    pub telemetry: crate::telemetry_config::TelemetryLayer,
    pub metrics: crate::metrics_config::MetricsLayer,
}

/// The file's shape: [`Layer`]'s keys and `[http]`. A mirror rather than a `flatten`ed
/// `Layer`, because serde's `flatten` disables `deny_unknown_fields` and TOML's error spans.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileShape {
    database_url: Option<DatabaseUrl>,
    listen: Option<String>,
    workflow: Option<PathBuf>,
    log: Option<String>,
    log_format: Option<LogFormat>,
    approval_expiry_days: Option<u32>,
    release_lead_days: Option<u32>,
    admin_email: Option<String>,
    migrate: Option<bool>,
    #[serde(default)]
    http: HttpLayer,
    oidc: Option<rollout_auth::OidcConfig>,
    #[serde(default)]
    scheduler: crate::reminder_config::SchedulerLayer,
    email: Option<rollout_scheduler::delivery::EmailTransportConfig>,
    #[serde(default)]
    analytics: crate::analytics_config::AnalyticsLayer,
    #[serde(default)]
    quality: crate::quality_config::QualityLayer,
    #[serde(default)]
    web: crate::web_config::WebLayer,
    #[serde(default)]
    telemetry: crate::telemetry_config::TelemetryLayer,
    #[serde(default)]
    metrics: crate::metrics_config::MetricsLayer,
}

/// Reads a config file. An explicit `--config` file must exist; the default one is optional.
pub fn read_file(path: Option<&Path>) -> Result<Layer, ConfigError> {
    read_file_layers(path).map(|f| f.layer)
}

/// [`read_file`] with the `[http]` table.
pub fn read_file_layers(path: Option<&Path>) -> Result<FileLayers, ConfigError> {
    let (path, required) = match path {
        Some(p) => (p.to_path_buf(), true),
        None => (PathBuf::from(DEFAULT_CONFIG_FILE), false),
    };
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if !required && e.kind() == std::io::ErrorKind::NotFound => {
            return Ok(FileLayers::default());
        }
        Err(source) => return Err(ConfigError::Read { path, source }),
    };
    parse_file_layers(&path, &text)
}

/// Parses the text of a config file; the message of a TOML error names the line and the key.
pub fn parse_file(path: &Path, text: &str) -> Result<Layer, ConfigError> {
    parse_file_layers(path, text).map(|f| f.layer)
}

/// [`parse_file`] with the `[http]` table.
pub fn parse_file_layers(path: &Path, text: &str) -> Result<FileLayers, ConfigError> {
    let shape: FileShape = toml::from_str(text).map_err(|e| ConfigError::Parse {
        path: path.to_path_buf(),
        message: e.to_string(),
    })?;
    Ok(FileLayers {
        layer: Layer {
            database_url: shape.database_url,
            listen: shape.listen,
            workflow: shape.workflow,
            log: shape.log,
            log_format: shape.log_format,
            approval_expiry_days: shape.approval_expiry_days,
            release_lead_days: shape.release_lead_days,
            admin_email: shape.admin_email,
            migrate: shape.migrate,
        },
        http: shape.http,
        oidc: shape.oidc,
        scheduler: shape.scheduler,
        email: shape.email,
        analytics: shape.analytics,
        quality: shape.quality,
        web: shape.web,
        telemetry: shape.telemetry,
        metrics: shape.metrics,
    })
}

impl Config {
    /// Resolves the layers: defaults < file < env < flags.
    pub fn resolve(file: Layer, env: Layer, flags: Layer) -> Result<Self, ConfigError> {
        let merged = flags.over(env.over(file));
        let listen = merged.listen.unwrap_or_else(|| DEFAULT_LISTEN.to_owned());
        let approval_expiry_days = merged
            .approval_expiry_days
            .unwrap_or(DEFAULT_APPROVAL_EXPIRY_DAYS);
        if !APPROVAL_EXPIRY_DAYS.contains(&approval_expiry_days) {
            return Err(ConfigError::ExpiryDays {
                value: approval_expiry_days,
            });
        }
        let release_lead_days = merged
            .release_lead_days
            .unwrap_or(DEFAULT_RELEASE_LEAD_DAYS);
        if !RELEASE_LEAD_DAYS.contains(&release_lead_days) {
            return Err(ConfigError::LeadDays {
                value: release_lead_days,
            });
        }
        Ok(Self {
            database_url: merged
                .database_url
                .unwrap_or_else(|| DatabaseUrl::new(DEFAULT_DATABASE_URL)),
            listen: listen
                .trim()
                .parse()
                .map_err(|_| ConfigError::Listen { value: listen })?,
            workflow: merged.workflow,
            log: merged.log,
            log_format: merged.log_format.unwrap_or(LogFormat::Text),
            http: HttpSettings::default(),
            oidc: None,
            approval_expiry_days,
            release_lead_days,
            admin_email: merged
                .admin_email
                .unwrap_or_else(|| DEFAULT_ADMIN_EMAIL.to_owned()),
            migrate: merged.migrate.unwrap_or(true),
            reminders: crate::reminder_config::ReminderConfig::default(),
            analytics: rollout_app::analytics::AnalyticsSettings::default(),
            quality: crate::quality_config::QualityConfig::default(),
            web: crate::web_config::WebConfig::default(),
            telemetry: crate::telemetry_config::TelemetryConfig::default(),
            metrics: crate::metrics_config::MetricsConfig::default(),
        })
    }

    /// Replaces the HTTP settings with those of the layers: environment over file over defaults.
    pub fn with_http(self, file: HttpLayer, env: HttpLayer) -> Result<Self, ConfigError> {
        Ok(Self {
            http: env.over(file).resolve()?,
            ..self
        })
    }

    /// Reads the file and the process environment, then applies `flags`. A command that does
    /// not `listen` ignores the listen address of the file and the environment, so that a bad
    /// one only stops `serve`.
    pub fn load(
        config_file: Option<&Path>,
        flags: Layer,
        listen: bool,
    ) -> Result<Self, ConfigError> {
        let mut env: HashMap<String, String> = std::env::vars()
            .filter(|(k, _)| k.starts_with("ROLLOUT_"))
            .collect();
        let mut file = read_file_layers(config_file)?;
        if !listen {
            env.remove("ROLLOUT_LISTEN");
            file.layer.listen = None;
        }
        let oidc = file.oidc.clone();
        if let Some(o) = &oidc {
            o.validate().map_err(|e| ConfigError::Oidc(e.to_string()))?;
        }
        let reminders =
            crate::reminder_config::ReminderConfig::resolve(file.scheduler, file.email, &env)?;
        let analytics = file.analytics.clone().resolve()?;
        let quality = crate::quality_config::QualityConfig::resolve(file.quality, &env)?;
        let web = file.web.clone().resolve(oidc.is_some(), &env)?;
        let telemetry = file.telemetry.clone().resolve(&env)?;
        let metrics = crate::metrics_config::MetricsConfig::resolve(file.metrics.clone(), &env)?;
        Ok(Self {
            web,
            telemetry,
            metrics,
            oidc,
            reminders,
            analytics,
            quality,
            ..Self::resolve(file.layer, Layer::from_env(&env)?, flags)?
                .with_http(file.http, HttpLayer::from_env(&env)?)?
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_on_by_default_and_turned_off_by_file_or_env() {
        let none = Layer::default;
        assert!(Config::resolve(none(), none(), none()).unwrap().migrate);
        let off = file("migrate = false\n");
        assert!(
            !Config::resolve(off.clone(), none(), none())
                .unwrap()
                .migrate
        );
        let on = env(&[("ROLLOUT_MIGRATE", "true")]);
        assert!(
            Config::resolve(off, on, none()).unwrap().migrate,
            "env over file"
        );
        assert!(
            !Config::resolve(none(), env(&[("ROLLOUT_MIGRATE", "0")]), none())
                .unwrap()
                .migrate
        );
        let bad = HashMap::from([("ROLLOUT_MIGRATE".to_owned(), "maybe".to_owned())]);
        let err = Layer::from_env(&bad).unwrap_err().to_string();
        assert_eq!(err, "ROLLOUT_MIGRATE must be true or false, not \"maybe\"");
    }

    fn env(pairs: &[(&str, &str)]) -> Layer {
        let map = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        Layer::from_env(&map).expect("valid env")
    }

    fn file(text: &str) -> Layer {
        parse_file(Path::new("rollout.toml"), text).expect("valid file")
    }

    #[test]
    fn defaults_apply_when_nothing_is_set() {
        let c = Config::resolve(Layer::default(), Layer::default(), Layer::default()).unwrap();
        assert_eq!(c.database_url.expose(), "sqlite:rollout.db");
        assert_eq!(c.listen, "127.0.0.1:8080".parse().unwrap());
        assert_eq!(
            (c.workflow, c.log, c.log_format),
            (None, None, LogFormat::Text)
        );
    }

    #[test]
    fn each_layer_overrides_only_what_it_names() {
        let file = file(
            "database_url = \"sqlite:file.db\"\nlisten = \"0.0.0.0:9000\"\nworkflow = \"file.toml\"\nlog = \"debug\"\nlog_format = \"json\"\n",
        );
        let env = env(&[
            ("ROLLOUT_LISTEN", "0.0.0.0:9100"),
            ("ROLLOUT_WORKFLOW", "env.toml"),
            ("ROLLOUT_LOG", "warn"),
            ("ROLLOUT_UNRELATED", "x"),
            ("PATH", "/bin"),
        ]);
        let flags = Layer {
            workflow: Some("flag.toml".into()),
            ..Layer::default()
        };
        let c = Config::resolve(file.clone(), env.clone(), flags.clone()).unwrap();
        assert_eq!(
            c.database_url.expose(),
            "sqlite:file.db",
            "file over default"
        );
        assert_eq!(c.listen, "0.0.0.0:9100".parse().unwrap(), "env over file");
        assert_eq!(c.workflow, Some("flag.toml".into()), "flag over env");
        assert_eq!(c.log.as_deref(), Some("warn"));
        assert_eq!(c.log_format, LogFormat::Json, "file value kept");
        let flags = Layer {
            database_url: Some(DatabaseUrl::new("postgres://u:p@h/db")),
            listen: Some("127.0.0.1:0".into()),
            ..flags
        };
        let c = Config::resolve(file, env, flags).unwrap();
        assert_eq!(c.database_url.expose(), "postgres://u:p@h/db");
        assert_eq!(c.listen.port(), 0);
    }

    #[test]
    fn empty_environment_values_are_ignored() {
        let c = Config::resolve(
            file("database_url = \"sqlite:file.db\""),
            env(&[("ROLLOUT_DATABASE_URL", "")]),
            Layer::default(),
        )
        .unwrap();
        assert_eq!(c.database_url.expose(), "sqlite:file.db");
    }

    #[test]
    fn bad_values_are_refused_with_their_source() {
        let err = parse_file(Path::new("conf/rollout.toml"), "databse_url = \"x\"").unwrap_err();
        let msg = err.to_string();
        assert!(
            msg.starts_with("config file conf/rollout.toml is invalid"),
            "{msg}"
        );
        assert!(msg.contains("databse_url"), "{msg}");
        let err = Config::resolve(
            Layer::default(),
            env(&[("ROLLOUT_LISTEN", "localhost")]),
            Layer::default(),
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "listen address \"localhost\" is not an IP address and port like 127.0.0.1:8080"
        );
        let map = HashMap::from([("ROLLOUT_LOG_FORMAT".to_owned(), "xml".to_owned())]);
        assert!(matches!(
            Layer::from_env(&map),
            Err(ConfigError::LogFormat { .. })
        ));
    }

    #[test]
    fn an_explicit_config_file_must_exist_the_default_need_not() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("nope.toml");
        assert!(matches!(
            read_file(Some(&missing)),
            Err(ConfigError::Read { .. })
        ));
        let present = dir.path().join("rollout.toml");
        std::fs::write(&present, "listen = \"127.0.0.1:1\"\n").unwrap();
        assert_eq!(
            read_file(Some(&present)).unwrap().listen.as_deref(),
            Some("127.0.0.1:1")
        );
    }

    #[test]
    fn the_example_oidc_block_parses_once_uncommented() {
        let text = include_str!("../../../rollout.example.toml");
        let start = text.find("# [oidc]").expect("the example documents [oidc]");
        let block: String = text[start..]
            .lines()
            .filter(|l| !l.starts_with("# #"))
            .map(|l| l.strip_prefix("# ").unwrap_or(l))
            .filter(|l| !l.starts_with("jwks = { file"))
            .collect::<Vec<_>>()
            .join("\n");
        let file = parse_file_layers(Path::new("rollout.toml"), &block).expect("valid [oidc]");
        let oidc = file.oidc.expect("oidc table read");
        assert_eq!(oidc.issuer, "https://login.example.jp/realms/tokyo");
        assert_eq!(oidc.claims.role, "rollout_role");
        oidc.validate()
            .expect("the example is a valid configuration");
    }

    #[test]
    fn approval_expiry_and_admin_email_layer_like_the_rest() {
        let file = file("approval_expiry_days = 30\nadmin_email = \"root@example.jp\"\n");
        let c = Config::resolve(
            file,
            env(&[("ROLLOUT_APPROVAL_EXPIRY_DAYS", "7")]),
            Layer::default(),
        )
        .unwrap();
        assert_eq!(
            (c.approval_expiry_days, c.admin_email.as_str()),
            (7, "root@example.jp")
        );
        let map = [(
            "ROLLOUT_APPROVAL_EXPIRY_DAYS".to_owned(),
            "a week".to_owned(),
        )]
        .into();
        let err = Layer::from_env(&map).unwrap_err().to_string();
        assert!(
            err.contains("ROLLOUT_APPROVAL_EXPIRY_DAYS") && err.contains("a week"),
            "{err}"
        );
        for (days, ok) in [("0", false), ("1", true), ("3650", true), ("3651", false)] {
            let layer = env(&[("ROLLOUT_APPROVAL_EXPIRY_DAYS", days)]);
            let resolved = Config::resolve(Layer::default(), layer, Layer::default());
            assert_eq!(resolved.is_ok(), ok, "{days}: {resolved:?}");
        }
        let huge = self::file("approval_expiry_days = 4294967295\n");
        let err = Config::resolve(huge, Layer::default(), Layer::default()).unwrap_err();
        assert!(err.to_string().contains("between 1 and 3650"), "{err}");
    }

    #[test]
    fn the_example_file_parses_and_shows_the_defaults() {
        let text = include_str!("../../../rollout.example.toml");
        let file =
            parse_file_layers(Path::new("rollout.example.toml"), text).expect("valid example");
        let from_example = Config::resolve(file.layer, Layer::default(), Layer::default())
            .unwrap()
            .with_http(file.http, HttpLayer::default())
            .unwrap();
        let defaults =
            Config::resolve(Layer::default(), Layer::default(), Layer::default()).unwrap();
        assert_eq!(from_example, defaults);
    }

    #[test]
    fn the_http_table_and_environment_configure_the_endpoint() {
        let text = "listen = \"0.0.0.0:9000\"\n[http]\nintrospection = false\nmax_depth = 10\ncors_origins = [\"https://portal.example.jp\"]\nrate_limit_per_second = 0\n";
        let file = parse_file_layers(Path::new("rollout.toml"), text).expect("valid file");
        assert_eq!(file.layer.listen.as_deref(), Some("0.0.0.0:9000"));
        let env = HashMap::from([
            ("ROLLOUT_HTTP_MAX_DEPTH".to_owned(), "12".to_owned()),
            ("ROLLOUT_HTTP_MAX_BATCH".to_owned(), "0".to_owned()),
        ]);
        let c = Config::resolve(file.layer, Layer::default(), Layer::default())
            .unwrap()
            .with_http(file.http, HttpLayer::from_env(&env).unwrap())
            .unwrap();
        assert!(!c.http.introspection, "file value kept");
        assert_eq!(c.http.limits.max_depth, 12, "env over file");
        assert_eq!(c.http.limits.max_batch, 0);
        assert_eq!(c.http.rate_limit, None);
        assert_eq!(c.http.cors_origins.len(), 1);
        let defaults =
            Config::resolve(Layer::default(), Layer::default(), Layer::default()).unwrap();
        assert_eq!(defaults.http, HttpSettings::default());
        let err = parse_file(Path::new("rollout.toml"), "[http]\nmax_dept = 3\n").unwrap_err();
        assert!(err.to_string().contains("max_dept"), "{err}");
        let err = Config::resolve(Layer::default(), Layer::default(), Layer::default())
            .unwrap()
            .with_http(
                HttpLayer {
                    max_complexity: Some(0),
                    ..HttpLayer::default()
                },
                HttpLayer::default(),
            )
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "http setting max_complexity = \"0\" is not at least 1"
        );
    }

    #[test]
    fn debug_output_hides_the_password() {
        let c = Config::resolve(
            Layer::default(),
            env(&[(
                "ROLLOUT_DATABASE_URL",
                "postgres://rollout:hunter2@db/rollout",
            )]),
            Layer::default(),
        )
        .unwrap();
        let printed = format!("{c:?}");
        assert!(!printed.contains("hunter2"), "{printed}");
        assert!(
            printed.contains("postgres://rollout:***@db/rollout"),
            "{printed}"
        );
    }
}
