//! Activity Log ingestion: the administrative events of every subscription in scope, since the
//! previous run's high-water mark (`--changes-since`) or the configured look-back (at most the
//! 90 days Azure keeps), until the collection start. Mapped to [`ChangeEvent`]s, the CC8.1
//! change population; events of other categories are left out by design. When no
//! subscription's log could be read, the population is `None` (not collected), not empty.

use std::sync::Arc;

use chrono::{DateTime, Duration, SecondsFormat, Utc};
use futures::StreamExt;
use serde_json::Value;

use super::arm::reason;
use super::http::{Http, Paged};
use super::redact::redact_str;
use super::retry::CallKind;
use super::{Progress, SourceRecord};
use crate::model::{ChangeEvent, InventoryPart};

pub(crate) const API_VERSION: &str = "2015-04-01";
/// How long Azure keeps Activity Log events.
pub const MAX_DAYS: u32 = 90;
/// How far inside the retention the oldest window start stays.
const RETENTION_MARGIN: Duration = Duration::hours(1);

const HINT: &str = "the identity needs the Reader role (Microsoft.Insights/eventtypes/values/read) \
                    on the subscription";

/// The `[since, until]` window and a note when `since` had to be moved.
pub(crate) fn window(
    until: DateTime<Utc>,
    since: Option<DateTime<Utc>>,
    days: u32,
) -> (DateTime<Utc>, DateTime<Utc>, Option<String>) {
    let days = days.clamp(1, MAX_DAYS);
    // Azure refuses a start older than its retention when the request arrives, a moment after
    // `until`: keep a margin.
    let oldest = until - Duration::days(i64::from(MAX_DAYS)) + RETENTION_MARGIN;
    match since {
        None => (
            (until - Duration::days(i64::from(days))).max(oldest),
            until,
            None,
        ),
        Some(s) if s < oldest => (
            oldest,
            until,
            Some(format!(
                "changes since {} requested; Azure keeps {MAX_DAYS} days, so the window starts at {}",
                rfc3339(s),
                rfc3339(oldest)
            )),
        ),
        Some(s) if s > until => (
            until,
            until,
            Some(format!(
                "changes since {} requested, which is after the collection start",
                rfc3339(s)
            )),
        ),
        Some(s) => (s, until, None),
    }
}

fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// The `$filter` of docs/SOURCES.md.
pub(crate) fn filter(since: DateTime<Utc>, until: DateTime<Utc>) -> String {
    format!(
        "eventTimestamp ge '{}' and eventTimestamp le '{}'",
        rfc3339(since),
        rfc3339(until)
    )
}

/// Percent-encodes a query value (RFC 3986 unreserved characters and `:` kept; spaces as
/// `%20`, never `+`).
fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 3 / 2);
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b':') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn text_at<'a>(v: &'a Value, pointer: &str) -> Option<&'a str> {
    v.pointer(pointer)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
}

/// Maps one event; `Ok(None)` for a category other than Administrative, `Err` when the event
/// lacks what makes it usable (id, time, operation).
pub(crate) fn to_event(v: &Value, subscription: &str) -> Result<Option<ChangeEvent>, String> {
    let category = text_at(v, "/category/value");
    if !category.is_some_and(|c| c.eq_ignore_ascii_case("Administrative")) {
        return Ok(None);
    }
    let id = text_at(v, "/eventDataId").ok_or("an event has no eventDataId")?;
    let time = text_at(v, "/eventTimestamp").ok_or("an event has no eventTimestamp")?;
    let time = DateTime::parse_from_rfc3339(time)
        .map_err(|e| format!("an event has an unreadable eventTimestamp: {e}"))?
        .with_timezone(&Utc);
    let operation = text_at(v, "/operationName/value")
        .or_else(|| text_at(v, "/operationName/localizedValue"))
        .ok_or("an event has no operationName")?;
    let opt = |p: &str| text_at(v, p).map(redact_str);
    Ok(Some(ChangeEvent {
        event_id: id.to_string(),
        event_time: time,
        subscription_id: text_at(v, "/subscriptionId")
            .unwrap_or(subscription)
            .to_string(),
        caller: opt("/caller"),
        operation: operation.to_string(),
        resource_id: opt("/resourceId"),
        status: opt("/status/value"),
        correlation_id: opt("/correlationId"),
    }))
}

/// Reads the administrative events of every subscription in the window.
pub(crate) async fn collect(
    http: &Http,
    subscriptions: &[String],
    since: DateTime<Utc>,
    until: DateTime<Utc>,
    page_cap: u32,
    progress: &Progress,
) -> (Option<Vec<ChangeEvent>>, SourceRecord) {
    let f = filter(since, until);
    let mut rec = SourceRecord::new(
        "arm.activity_log",
        InventoryPart::Subscriptions,
        http.endpoints.arm_base(),
        API_VERSION,
        &format!(
            "GET /subscriptions/{{subscriptionId}}/providers/Microsoft.Insights/eventtypes/management/values?api-version={API_VERSION}&$filter={f}"
        ),
        subscriptions.to_vec(),
    );
    rec.notes
        .push("only events whose category is Administrative are kept".into());
    let bar = progress.bar("arm.activity_log", Some(subscriptions.len() as u64));
    let query = format!("api-version={API_VERSION}&$filter={}", encode(&f));
    let jobs: Vec<_> = subscriptions
        .iter()
        .map(|s| {
            let url = http.endpoints.arm_url(&format!(
                "/subscriptions/{s}/providers/Microsoft.Insights/eventtypes/management/values?{query}"
            ));
            (s.clone(), url, Arc::clone(&rec.meter), bar.clone())
        })
        .collect();
    let results: Vec<(String, Paged)> = futures::stream::iter(jobs)
        .map(|(s, url, meter, bar)| async move {
            let paged = match url {
                Ok(u) => {
                    http.get_list(CallKind::ArmSubscription, u, "nextLink", page_cap, &meter)
                        .await
                }
                Err(e) => Paged {
                    failure: Some(super::http::Failure::Invalid {
                        detail: format!("cannot build the URL: {e}"),
                    }),
                    ..Paged::default()
                },
            };
            bar.inc(1);
            (s, paged)
        })
        .buffer_unordered(http.concurrency)
        .collect()
        .await;
    let mut events = vec![];
    let mut failed = 0;
    for (sub, paged) in results {
        rec.pages += paged.pages;
        let scope = format!("/subscriptions/{sub}");
        if let Some(f) = &paged.failure {
            failed += 1;
            rec.gap(&scope, reason(f, HINT));
        }
        let mut unusable = 0usize;
        let mut first_problem = None;
        for item in &paged.items {
            match to_event(item, &sub) {
                Ok(Some(e)) => events.push(e),
                Ok(None) => {}
                Err(why) => {
                    unusable += 1;
                    first_problem.get_or_insert(why);
                }
            }
        }
        if unusable > 0 {
            rec.gap(
                &scope,
                format!(
                    "{unusable} administrative event(s) could not be read ({})",
                    first_problem.unwrap_or_default()
                ),
            );
        }
    }
    events.sort_by(|a, b| (a.event_time, &a.event_id).cmp(&(b.event_time, &b.event_id)));
    events.dedup_by(|a, b| a.event_id == b.event_id);
    rec.records = events.len() as u64;
    rec.finish(&bar);
    // Not one subscription's log could be read: the population was not collected at all.
    let events = (failed < subscriptions.len() || subscriptions.is_empty()).then_some(events);
    (events, rec)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use serde_json::json;

    fn at(d: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, d, 6, 0, 0).unwrap()
    }

    #[test]
    fn window_defaults_clamps_and_notes() {
        let until = at(20);
        let (s, u, n) = window(until, None, 7);
        assert_eq!((s, u, n), (at(13), until, None));
        let oldest = until - Duration::days(90) + Duration::hours(1);
        let (s, _, n) = window(until, None, 365);
        assert_eq!(s, oldest);
        assert!(n.is_none());
        let (s, _, n) = window(until, Some(until - Duration::days(200)), 90);
        assert_eq!(s, oldest);
        assert!(n.unwrap().contains("Azure keeps 90 days"));
        let (s, _, n) = window(until, Some(at(19)), 90);
        assert_eq!((s, n), (at(19), None));
    }

    #[test]
    fn filter_text_and_encoding() {
        let f = filter(at(1), at(2));
        assert_eq!(
            f,
            "eventTimestamp ge '2026-11-01T06:00:00Z' and eventTimestamp le '2026-11-02T06:00:00Z'"
        );
        assert_eq!(
            encode(&f),
            "eventTimestamp%20ge%20%272026-11-01T06:00:00Z%27%20and%20eventTimestamp%20le%20%272026-11-02T06:00:00Z%27"
        );
    }

    #[test]
    fn events_map_and_other_categories_are_left_out() {
        let e = json!({
            "eventDataId": "e1",
            "eventTimestamp": "2026-11-02T05:59:00.1234567Z",
            "category": {"value": "Administrative"},
            "caller": "alice@contoso.example",
            "operationName": {"value": "Microsoft.Network/networkSecurityGroups/write"},
            "resourceId": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/networkSecurityGroups/n",
            "status": {"value": "Succeeded"},
            "correlationId": "c1",
            "subscriptionId": "s"
        });
        let ev = to_event(&e, "fallback").unwrap().unwrap();
        assert_eq!(ev.event_id, "e1");
        assert_eq!(ev.subscription_id, "s");
        assert_eq!(ev.caller.as_deref(), Some("alice@contoso.example"));
        assert_eq!(ev.status.as_deref(), Some("Succeeded"));
        let mut policy = e.clone();
        policy["category"]["value"] = json!("Policy");
        assert_eq!(to_event(&policy, "s").unwrap(), None);
        let mut broken = e.clone();
        broken.as_object_mut().unwrap().remove("eventDataId");
        assert!(to_event(&broken, "s").is_err());
    }
}
