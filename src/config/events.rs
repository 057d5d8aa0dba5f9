//! Events and webhooks: retention, private targets, the retry schedule.

use std::time::Duration;

use super::sources::Sources;
use super::{ConfigError, EventsConfig, err};

/// The retry schedule of the Standard Webhooks' reference implementation, about a day in all:
/// 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h.
const RETRY_DELAYS: &[f64] = &[5.0, 300.0, 1800.0, 7200.0, 18_000.0, 36_000.0, 36_000.0];

pub(super) fn events(src: &Sources) -> Result<EventsConfig, ConfigError> {
    let file = &src.file;
    Ok(EventsConfig {
        retention_days: src.number(
            "BANTIN_EVENT_RETENTION_DAYS",
            file.event_retention_days,
            30,
            1..=3650,
        )?,
        webhook_allow_private: flag(
            src,
            "BANTIN_WEBHOOK_ALLOW_PRIVATE",
            file.webhook_allow_private,
        )?,
        webhook_retry_delays: retry_delays(src)?,
        webhook_disable_after: src.number(
            "BANTIN_WEBHOOK_DISABLE_AFTER",
            file.webhook_disable_after,
            30,
            1..=10_000,
        )? as u32,
    })
}

fn flag(src: &Sources, name: &str, from_file: Option<bool>) -> Result<bool, ConfigError> {
    let Some(text) = src.text(name, None) else {
        return Ok(from_file.unwrap_or(false));
    };
    match text.trim().to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" => Ok(true),
        "false" | "0" | "no" => Ok(false),
        other => Err(err(name, format!("`{other}` is not true or false"))),
    }
}

fn retry_delays(src: &Sources) -> Result<Vec<Duration>, ConfigError> {
    const NAME: &str = "BANTIN_WEBHOOK_RETRY_DELAYS";
    let given = src.list(NAME, src.file.webhook_retry_delays.as_deref());
    if given.is_empty() {
        return Ok(RETRY_DELAYS
            .iter()
            .map(|s| Duration::from_secs_f64(*s))
            .collect());
    }
    if given.len() > 20 {
        return Err(err(NAME, "at most 20 retries"));
    }
    given
        .iter()
        .map(|s| match s.parse::<f64>() {
            Ok(secs) if (0.0..=7.0 * 86_400.0).contains(&secs) => Ok(Duration::from_secs_f64(secs)),
            _ => Err(err(
                NAME,
                format!("`{s}` is not a number of seconds up to a week"),
            )),
        })
        .collect()
}
