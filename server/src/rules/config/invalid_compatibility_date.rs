//! `invalid-compatibility-date`: a `compatibility_date` that is not a real
//! date, or lies in the future.

use super::{Check, Reporter, Rule, RuleCtx};
use crate::diagnostic::Severity;
use crate::fix::config_edit::today_utc;

pub static RULE: Rule = Rule {
    id: "invalid-compatibility-date",
    severity: Severity::Error,
    summary: "A `compatibility_date` that is not a real YYYY-MM-DD date or is in the future.",
    docs: r#"
## What it finds
A `compatibility_date`, at the top level or in any `[env.NAME]`, that the
Workers runtime refuses: not written `YYYY-MM-DD`, a day that does not
exist (`2025-13-45`, `2023-02-29`), or a date after today (UTC).

## Why it matters
The compatibility date chooses the runtime behaviour of the Worker,
including Durable Object behaviour such as `deleteAll()` removing the alarm
or the runtime answering WebSocket close frames. Cloudflare refuses to
deploy a Worker whose date is invalid or in the future, and the local
runtime refuses dates newer than its own release.

## Example
```toml
compatibility_date = "2025-13-45"
```

## How to fix
Use today's date for a new Worker, or the date the Worker was last tested
with; move it forward deliberately, reading the compatibility flags that
change on the way.
"#,
    prevents: &["Can't set compatibility date in the future"],
    check: Check::Workspace(check),
};

fn check(ws: &RuleCtx, out: &mut Reporter) {
    let today = today_utc();
    for config in ws.checked_configs() {
        let sections = std::iter::once(&config.top).chain(config.envs.iter().map(|e| &e.section));
        for date in sections.filter_map(|s| s.compatibility_date.as_ref()) {
            let message = match parse_date(&date.value) {
                None => format!(
                    "`compatibility_date` should be a real date written YYYY-MM-DD (like \"2025-04-01\"); the runtime refuses \"{}\"",
                    date.value
                ),
                Some((year, month, day)) if (year, month, day) > today => format!(
                    "`compatibility_date` \"{}\" is in the future (today is {:04}-{:02}-{:02} UTC); Cloudflare refuses to deploy it",
                    date.value, today.0, today.1, today.2
                ),
                Some(_) => continue,
            };
            out.report(config.file, date.range, message);
        }
    }
}

/// `YYYY-MM-DD` exactly, a year from 2000 to 2999, a day that exists in
/// its month.
fn parse_date(text: &str) -> Option<(i64, u32, u32)> {
    let bytes = text.as_bytes();
    if bytes.len() != 10 || bytes[4] != b'-' || bytes[7] != b'-' {
        return None;
    }
    let number = |range: std::ops::Range<usize>| {
        let digits = &text[range];
        digits
            .bytes()
            .all(|b| b.is_ascii_digit())
            .then(|| digits.parse::<u32>().ok())
            .flatten()
    };
    let (year, month, day) = (number(0..4)?, number(5..7)?, number(8..10)?);
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return None,
    };
    ((2000..=2999).contains(&year) && (1..=days).contains(&day)).then_some((
        i64::from(year),
        month,
        day,
    ))
}

#[cfg(test)]
mod tests {
    use super::parse_date;

    #[test]
    fn compatibility_dates_are_real_dates() {
        for good in ["2025-04-01", "2024-02-29", "2000-01-01", "2999-12-31"] {
            assert!(parse_date(good).is_some(), "{good}");
        }
        for bad in [
            "not-a-date",
            "2025-13-45",
            "2023-02-29",
            "2025-4-01",
            "2025/04/01",
            " 2025-04-01",
            "1999-12-31",
            "3000-01-01",
            "2025-00-10",
            "2025-01-00",
            "+025-01-01",
            "2025-+1-01",
            "",
        ] {
            assert!(parse_date(bad).is_none(), "{bad}");
        }
    }
}
