//! The window's side of the command table: `ui/js/shell/api.js` calls exactly the table's commands,
//! each from a function of the same name in camelCase, and `ui/CONTRACT.md` documents exactly them.
//! The window cuts no text (no `maxlength`), shows no browser date picker, and counts each limited
//! text against a limit the core sends.

use std::collections::BTreeSet;
use std::path::Path;

use infusion_chart::app::commands::COMMANDS;
use infusion_chart::app::lists::reference_lists;
use infusion_chart::domain::notes::{NoteInput, MAX_NOTE_CHARS};

fn read(path: &str) -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(path)).unwrap()
}

fn table() -> BTreeSet<String> {
    COMMANDS.iter().map(|c| c.name.to_string()).collect()
}

/// Fails naming the commands `place` lacks and those it has that the table lacks.
fn same_as_table(place: &str, found: &BTreeSet<String>) {
    let table = table();
    let lacking: Vec<_> = table.difference(found).collect();
    let unknown: Vec<_> = found.difference(&table).collect();
    assert!(
        lacking.is_empty() && unknown.is_empty(),
        "{place} lacks {lacking:?} and names {unknown:?}, which the command table does not have"
    );
}

fn camel(name: &str) -> String {
    let mut words = name.split('_');
    let first = words.next().unwrap_or_default().to_string();
    words.fold(first, |mut out, w| {
        let mut chars = w.chars();
        if let Some(c) = chars.next() {
            out.push(c.to_ascii_uppercase());
            out.extend(chars);
        }
        out
    })
}

/// `export const fnName = (…) => call('command', …)` lines of api.js, as (function, command).
fn api_calls() -> Vec<(String, String)> {
    read("ui/js/shell/api.js")
        .lines()
        .filter_map(|line| {
            let rest = line.strip_prefix("export const ")?;
            let (function, body) = rest.split_once(" = ")?;
            let command = body.split("call('").nth(1)?.split('\'').next()?;
            Some((function.to_string(), command.to_string()))
        })
        .collect()
}

#[test]
fn api_js_calls_every_command_of_the_table_from_a_function_of_its_name() {
    let calls = api_calls();
    let called: BTreeSet<String> = calls.iter().map(|(_, c)| c.clone()).collect();
    same_as_table("ui/js/shell/api.js", &called);
    for (function, command) in calls {
        assert_eq!(function, camel(&command), "api.js names the function for {command}");
    }
}

#[test]
fn the_contract_documents_every_command_of_the_table() {
    // Each command is a table row whose first cell is the command in backticks.
    let documented: BTreeSet<String> = read("ui/CONTRACT.md")
        .lines()
        .filter_map(|line| line.strip_prefix("| `")?.split('`').next().map(str::to_string))
        .collect();
    same_as_table("ui/CONTRACT.md", &documented);
}

#[test]
fn camel_case_names_follow_the_command() {
    assert_eq!(camel("get_session"), "getSession");
    assert_eq!(camel("app_status"), "appStatus");
    assert_eq!(camel("lock"), "lock");
}

/// Every script of the window, as (path, text).
fn scripts() -> Vec<(String, String)> {
    fn walk(dir: &Path, out: &mut Vec<(String, String)>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "js") {
                out.push((path.display().to_string(), std::fs::read_to_string(&path).unwrap()));
            }
        }
    }
    let mut out = Vec::new();
    walk(&Path::new(env!("CARGO_MANIFEST_DIR")).join("ui/js"), &mut out);
    out
}

#[test]
fn no_field_of_the_window_cuts_text_or_picks_dates_and_every_count_has_the_cores_limit() {
    let limits = reference_lists().limits;
    let mut counted = BTreeSet::new();
    for (path, text) in scripts() {
        assert!(!text.contains("maxlength"), "{path} cuts what is typed (maxlength)");
        assert!(!text.contains("type: 'date'"), "{path} has a browser date picker");
        // charCount(input, 'key') and otherField(…, 'key'): the key names a limit of the core.
        for call in text
            .split("charCount(")
            .skip(1)
            .chain(text.split("otherField(").skip(1))
        {
            let Some(key) = call.split(')').next().and_then(|args| args.rsplit('\'').nth(1)) else {
                continue;
            };
            if !key.is_empty() && key.chars().all(|c| c.is_ascii_lowercase() || c == '_') {
                counted.insert(key.to_string());
            }
        }
    }
    let unknown: Vec<_> = counted.iter().filter(|k| !limits.contains_key(k.as_str())).collect();
    assert!(
        unknown.is_empty(),
        "counted against limits the core does not send: {unknown:?}"
    );
    assert!(
        counted.contains("note") && counted.contains("discharge_override_reason"),
        "{counted:?}"
    );
    // The limit sent is the one the check uses.
    assert_eq!(limits["note"], MAX_NOTE_CHARS);
    let over = NoteInput {
        session_id: 1,
        clinical_time: None,
        text: Some("x".repeat(MAX_NOTE_CHARS + 1)),
    };
    let now = chrono::Utc::now();
    let message = over.validate(now, now).unwrap_err().to_string();
    assert!(
        message.contains(&format!("Note must be at most {MAX_NOTE_CHARS} characters.")),
        "{message}"
    );
}
