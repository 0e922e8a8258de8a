//! Comparing a deployed pod definition with a local one, and saying what Marathon would do with
//! the local one: nothing, store it without touching instances, scale, or restart every instance.
//!
//! Both sides go through [`canonical`] first, so defaults Marathon fills in and spellings it
//! rewrites are no difference. The verdict follows Marathon 1.10's own rules: `PodDefinition.
//! isUpgrade` names the fields whose change restarts instances, `isOnlyScaleChange` is a change of
//! `instances` alone, and `DeploymentPlan.dependencyOrderedSteps` scales (never restarts) a pod
//! whose new definition asks for 0 instances. A change to anything else (`executorResources`,
//! `killSelection`, `unreachableStrategy`) is stored with the old version and restarts nothing
//! (`GroupVersioningUtil.updateVersionInfoForChangedPods`).
//!
//! Pure functions: no I/O, nothing printed; text for a terminal is already escaped.

use serde_json::Value;
use similar::{ChangeTag, TextDiff};

use crate::pod::normalize::canonical;
use crate::pod::text::printable;

/// The top-level fields outside `PodDefinition.isUpgrade`: changing them restarts nothing.
const NO_RESTART_FIELDS: &[&str] = &["scaling", "executorResources", "legacySharedCgroups"];

/// The `scheduling` fields outside `isUpgrade` (`placement`, `backoff` and `upgrade` are in it).
const NO_RESTART_SCHEDULING: &[&str] = &["killSelection", "unreachableStrategy"];

/// What Marathon does when the local definition replaces the deployed one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// The definitions are the same once normalised: sending it would change nothing.
    Unchanged,
    /// Only fields outside `isUpgrade` differ: the definition is stored, instances keep running.
    NoRestart { first_reason: String },
    /// The instance count changes and nothing that needs a restart (or the pod is scaled to 0).
    ScaleOnly { from: u32, to: u32 },
    /// Every instance is replaced; the reason names the first field that makes it so.
    Restart { first_reason: String },
}

impl Verdict {
    /// One line for people: `no change`, `scale only: no restart`, `restart: containers[0].image.id changed`.
    pub fn summary(&self) -> String {
        match self {
            Verdict::Unchanged => "no change".to_string(),
            Verdict::NoRestart { first_reason } => format!("no restart: {first_reason}"),
            Verdict::ScaleOnly { from, to } => {
                format!("scale only: no restart ({from} → {to} instances)")
            }
            Verdict::Restart { first_reason } => format!("restart: {first_reason}"),
        }
    }

    /// A short word for scripts and JSON: `unchanged`, `no-restart`, `scale`, `restart`.
    pub fn kind(&self) -> &'static str {
        match self {
            Verdict::Unchanged => "unchanged",
            Verdict::NoRestart { .. } => "no-restart",
            Verdict::ScaleOnly { .. } => "scale",
            Verdict::Restart { .. } => "restart",
        }
    }
}

/// The two normalised definitions and the verdict on replacing one with the other.
#[derive(Debug, Clone)]
pub struct Comparison {
    pub verdict: Verdict,
    /// The deployed definition, normalised, as pretty JSON with sorted keys.
    pub deployed: String,
    /// The local definition, normalised, as pretty JSON with sorted keys.
    pub local: String,
}

/// Compares `deployed` (as Marathon returned it) with `local` (as a file gives it).
pub fn compare(deployed: &Value, local: &Value) -> Comparison {
    let old = canonical(deployed);
    let new = canonical(local);
    Comparison {
        verdict: verdict(&old, &new),
        deployed: pretty(&old),
        local: pretty(&new),
    }
}

/// The comparison for a pod that does not exist yet: every line of `local` is added, and the
/// verdict is a restart (every instance is new).
pub fn creation(local: &Value) -> Comparison {
    Comparison {
        verdict: Verdict::Restart {
            first_reason: "new pod".to_string(),
        },
        deployed: String::new(),
        local: pretty(&canonical(local)),
    }
}

impl Comparison {
    pub fn is_unchanged(&self) -> bool {
        self.verdict == Verdict::Unchanged
    }

    /// A unified diff (`---` deployed, `+++` local, three lines of context), empty when the
    /// normalised texts are equal. With `colour`, removed lines are red, added green and hunk
    /// headers cyan. Every line is escaped for a terminal.
    pub fn unified(&self, colour: bool) -> String {
        self.unified_labelled(colour, "deployed", "local")
    }

    /// [`Comparison::unified`] with the two sides named in the `---` and `+++` lines.
    pub fn unified_labelled(&self, colour: bool, deployed: &str, local: &str) -> String {
        if self.deployed == self.local {
            return String::new();
        }
        let diff = TextDiff::from_lines(&self.deployed, &self.local);
        let mut out = String::new();
        let paint = |out: &mut String, code: &str, line: &str| {
            if colour {
                out.push_str(&format!("\u{1b}[{code}m{line}\u{1b}[0m\n"));
            } else {
                out.push_str(line);
                out.push('\n');
            }
        };
        paint(&mut out, "1", &format!("--- {}", printable(deployed)));
        paint(&mut out, "1", &format!("+++ {}", printable(local)));
        for hunk in diff.unified_diff().context_radius(3).iter_hunks() {
            paint(&mut out, "36", &hunk.header().to_string());
            for change in hunk.iter_changes() {
                let text = change.value();
                let text = printable(text.strip_suffix('\n').unwrap_or(text));
                match change.tag() {
                    ChangeTag::Delete => paint(&mut out, "31", &format!("-{text}")),
                    ChangeTag::Insert => paint(&mut out, "32", &format!("+{text}")),
                    ChangeTag::Equal => {
                        out.push(' ');
                        out.push_str(&text);
                        out.push('\n');
                    }
                }
            }
        }
        out
    }
}

fn verdict(old: &Value, new: &Value) -> Verdict {
    if old == new {
        return Verdict::Unchanged;
    }
    let from = instances(old);
    let to = instances(new);
    let restart = first_difference(&restart_fields(old), &restart_fields(new), "");
    match restart {
        // `newSpec.isScaledToZero` makes a ScaleApplication whatever else changed.
        Some(_) if to == 0 && from != 0 => Verdict::ScaleOnly { from, to },
        Some(reason) if to != 0 => Verdict::Restart {
            first_reason: reason,
        },
        _ if from != to => Verdict::ScaleOnly { from, to },
        other => Verdict::NoRestart {
            first_reason: other
                .or_else(|| first_difference(old, new, ""))
                .unwrap_or_else(|| "definition changed".to_string()),
        },
    }
}

/// The instance count of a canonical definition (Marathon's default is 1).
fn instances(pod: &Value) -> u32 {
    pod.pointer("/scaling/instances")
        .and_then(Value::as_u64)
        .map_or(1, |n| u32::try_from(n).unwrap_or(u32::MAX))
}

/// The definition without the fields whose change restarts nothing.
fn restart_fields(pod: &Value) -> Value {
    let mut pod = pod.clone();
    if let Value::Object(map) = &mut pod {
        for key in NO_RESTART_FIELDS {
            map.remove(*key);
        }
        if let Some(Value::Object(scheduling)) = map.get_mut("scheduling") {
            for key in NO_RESTART_SCHEDULING {
                scheduling.remove(*key);
            }
        }
    }
    pod
}

/// The first place where `a` and `b` differ, in key order, as `containers[0].image.id changed`,
/// `labels.team added` or `volumes[1] removed`. `None` when they are equal.
pub fn first_difference(a: &Value, b: &Value, path: &str) -> Option<String> {
    let at = |p: &str| if p.is_empty() { "definition" } else { p }.to_string();
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let mut keys: Vec<&String> = x.keys().chain(y.keys()).collect();
            keys.sort();
            keys.dedup();
            keys.into_iter().find_map(|key| {
                let sub = if path.is_empty() {
                    key.clone()
                } else {
                    format!("{path}.{key}")
                };
                match (x.get(key), y.get(key)) {
                    (Some(p), Some(q)) => first_difference(p, q, &sub),
                    (None, Some(_)) => Some(format!("{} added", printable(&sub))),
                    (Some(_), None) => Some(format!("{} removed", printable(&sub))),
                    (None, None) => None,
                }
            })
        }
        (Value::Array(x), Value::Array(y)) => {
            let common = x
                .iter()
                .zip(y)
                .enumerate()
                .find_map(|(i, (p, q))| first_difference(p, q, &format!("{path}[{i}]")));
            common.or_else(|| match x.len().cmp(&y.len()) {
                std::cmp::Ordering::Less => Some(format!("{}[{}] added", printable(path), x.len())),
                std::cmp::Ordering::Greater => {
                    Some(format!("{}[{}] removed", printable(path), y.len()))
                }
                std::cmp::Ordering::Equal => None,
            })
        }
        _ if a == b => None,
        _ => Some(format!("{} changed", printable(&at(path)))),
    }
}

/// Pretty JSON with every object's keys sorted, so the same definition always reads the same.
fn pretty(value: &Value) -> String {
    let mut text = serde_json::to_string_pretty(&sorted(value)).unwrap_or_default();
    text.push('\n');
    text
}

fn sorted(value: &Value) -> Value {
    match value {
        Value::Object(map) => {
            let mut entries: Vec<(&String, &Value)> = map.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            Value::Object(
                entries
                    .into_iter()
                    .map(|(k, v)| (k.clone(), sorted(v)))
                    .collect(),
            )
        }
        Value::Array(items) => Value::Array(items.iter().map(sorted).collect()),
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pod::normalize::normalize;
    use crate::pod::PodDefinition;
    use serde_json::json;

    const BASE: &str = r#"{"id":"/web","scaling":{"kind":"fixed","instances":2},
        "containers":[{"name":"app","resources":{"cpus":0.5,"mem":64},
        "image":{"kind":"DOCKER","id":"nginx:1.25"}}]}"#;

    fn base() -> Value {
        serde_json::from_str(BASE).expect("base parses")
    }

    /// The definition as the simulator (and Marathon) writes it back.
    fn deployed(local: &Value) -> Value {
        let pod: PodDefinition = serde_json::from_value(local.clone()).expect("pod parses");
        serde_json::to_value(normalize(pod, "2026-11-30T20:00:00.000Z")).expect("serializes")
    }

    fn with(mut pod: Value, pointer: &str, value: Value) -> Value {
        *pod.pointer_mut(pointer).expect("pointer exists") = value;
        pod
    }

    #[test]
    fn a_file_and_what_marathon_wrote_back_from_it_are_unchanged() {
        for (path, text) in crate::fixtures::pod_examples() {
            let local: Value = serde_json::from_str(&text).expect("example parses");
            let c = compare(&deployed(&local), &local);
            assert_eq!(c.verdict, Verdict::Unchanged, "{}", path.display());
            assert_eq!(c.unified(false), "", "{}", path.display());
        }
    }

    #[test]
    fn spelling_marathon_rewrites_is_no_difference() {
        let marathon = json!({"id":"/web","version":"2026-01-01T00:00:00Z",
            "scaling":{"kind":"fixed","instances":2},
            "containers":[{"name":"app","resources":{"cpus":0.5,"mem":64.0,"disk":0.0,"gpus":0},
              "image":{"kind":"DOCKER","id":"nginx:1.25"},
              "artifacts":[{"uri":"http://a/b.tgz","extract":true,"executable":false,"cache":false}]}],
            "scheduling":{"placement":{"acceptedResourceRoles":["*","slave_public"],
              "constraints":[["a","UNIQUE"],["b","UNIQUE"]]},
              "backoff":{"backoff":1.0,"backoffFactor":1.15,"maxLaunchDelay":300.0}},
            "legacySharedCgroups":false,"executorResources":{"cpus":0.1,"mem":32.0,"disk":10.0}});
        let file = json!({"id":"web","scaling":{"kind":"fixed","instances":2},
            "containers":[{"name":"app","resources":{"cpus":0.5,"mem":64},
              "image":{"kind":"docker","id":"nginx:1.25"},
              "artifacts":[{"uri":"http://a/b.tgz"}]}],
            "scheduling":{"placement":{"acceptedResourceRoles":["slave_public","*","*"],
              "constraints":[["b","UNIQUE"],["a","UNIQUE"]]},"backoff":{"maxLaunchDelay":300}}});
        let c = compare(&marathon, &file);
        assert_eq!(c.verdict, Verdict::Unchanged, "{}", c.unified(false));
    }

    #[test]
    fn an_image_change_restarts_and_names_the_field() {
        let new = with(base(), "/containers/0/image/id", json!("nginx:1.27"));
        let c = compare(&deployed(&base()), &new);
        assert_eq!(
            c.verdict,
            Verdict::Restart {
                first_reason: "containers[0].image.id changed".to_string()
            }
        );
        assert_eq!(
            c.verdict.summary(),
            "restart: containers[0].image.id changed"
        );
        let diff = c.unified(false);
        assert!(diff.starts_with("--- deployed\n+++ local\n@@ "), "{diff}");
        assert!(
            diff.contains("\n-        \"id\": \"nginx:1.25\",\n"),
            "{diff}"
        );
        assert!(
            diff.contains("\n+        \"id\": \"nginx:1.27\",\n"),
            "{diff}"
        );
        assert!(!diff.contains('\u{1b}'));
        assert!(c
            .unified(true)
            .contains("\u{1b}[31m-        \"id\": \"nginx:1.25\""));
    }

    #[test]
    fn an_instances_change_alone_scales() {
        let new = with(base(), "/scaling/instances", json!(5));
        let c = compare(&deployed(&base()), &new);
        assert_eq!(c.verdict, Verdict::ScaleOnly { from: 2, to: 5 });
        assert_eq!(
            c.verdict.summary(),
            "scale only: no restart (2 → 5 instances)"
        );
        let scaled_and_changed = with(new, "/containers/0/resources/cpus", json!(1));
        assert!(matches!(
            compare(&deployed(&base()), &scaled_and_changed).verdict,
            Verdict::Restart { .. }
        ));
    }

    #[test]
    fn scaling_to_zero_never_restarts() {
        let new = with(base(), "/scaling/instances", json!(0));
        let new = with(new, "/containers/0/image/id", json!("nginx:2"));
        let c = compare(&deployed(&base()), &new);
        assert_eq!(c.verdict, Verdict::ScaleOnly { from: 2, to: 0 });
    }

    #[test]
    fn fields_outside_is_upgrade_change_without_restart() {
        let mut new = base();
        new["executorResources"] = json!({"cpus": 0.2});
        let c = compare(&deployed(&base()), &new);
        assert_eq!(
            c.verdict,
            Verdict::NoRestart {
                first_reason: "executorResources.cpus changed".to_string()
            }
        );
        let mut kill = base();
        kill["scheduling"] = json!({"killSelection": "OLDEST_FIRST"});
        assert_eq!(
            compare(&deployed(&base()), &kill).verdict.kind(),
            "no-restart"
        );
        // Changed together with `instances`, it is a scale (`isOnlyScaleChange`).
        let both = with(kill, "/scaling/instances", json!(3));
        assert_eq!(
            compare(&deployed(&base()), &both).verdict,
            Verdict::ScaleOnly { from: 2, to: 3 }
        );
    }

    #[test]
    fn scheduling_fields_inside_is_upgrade_restart() {
        let mut new = base();
        new["scheduling"] = json!({"upgrade": {"minimumHealthCapacity": 0.5}});
        assert_eq!(
            compare(&deployed(&base()), &new).verdict,
            Verdict::Restart {
                first_reason: "scheduling.upgrade.minimumHealthCapacity changed".to_string()
            }
        );
        let mut labels = base();
        labels["labels"] = json!({"team": "a"});
        assert_eq!(
            compare(&deployed(&base()), &labels).verdict,
            Verdict::Restart {
                first_reason: "labels added".to_string()
            }
        );
    }

    #[test]
    fn first_difference_names_added_and_removed_items() {
        let a = json!({"v": [1, 2], "k": {"x": 1}});
        assert_eq!(first_difference(&a, &a, ""), None);
        assert_eq!(
            first_difference(&a, &json!({"v": [1, 2, 3], "k": {"x": 1}}), ""),
            Some("v[2] added".to_string())
        );
        assert_eq!(
            first_difference(&a, &json!({"v": [1], "k": {"x": 1}}), ""),
            Some("v[1] removed".to_string())
        );
        assert_eq!(
            first_difference(&a, &json!({"v": [1, 2], "k": {}}), ""),
            Some("k.x removed".to_string())
        );
        assert_eq!(
            first_difference(&json!(1), &json!("1"), ""),
            Some("definition changed".to_string())
        );
    }

    #[test]
    fn text_from_a_definition_is_escaped_in_the_diff_and_reason() {
        let mut new = base();
        new["labels"] = json!({"\u{1b}]0;x\u{7}": "\u{9b}31m\u{202e}"});
        let c = compare(&deployed(&base()), &new);
        for text in [c.unified(true), c.verdict.summary()] {
            assert!(
                !text.contains('\u{9b}') && !text.contains('\u{202e}'),
                "{text}"
            );
            assert!(!text.contains("\u{1b}]"), "{text}");
        }
    }

    #[test]
    fn a_new_pod_is_all_additions() {
        let c = creation(&base());
        let diff = c.unified_labelled(false, "/web (not deployed)", "web.json");
        assert!(
            diff.starts_with("--- /web (not deployed)\n+++ web.json\n@@ -0,0 +1,"),
            "{diff}"
        );
        assert!(diff.contains("\n+  \"id\": \"/web\",\n"), "{diff}");
        assert!(!diff.lines().skip(2).any(|l| l.starts_with('-')), "{diff}");
    }

    #[test]
    fn keys_come_out_sorted_and_a_non_pod_is_still_compared() {
        let c = compare(&json!({"b": 1, "a": 2.0}), &json!({"a": 2, "b": 1}));
        assert_eq!(c.verdict, Verdict::Unchanged);
        assert_eq!(c.local, "{\n  \"a\": 2,\n  \"b\": 1\n}\n");
        let d = compare(&json!([1]), &json!([2]));
        assert!(matches!(d.verdict, Verdict::Restart { .. }));
    }
}
