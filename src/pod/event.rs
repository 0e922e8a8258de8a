//! What one Marathon event is about, read from its JSON (`core/event/Events.scala` and the
//! writers in `api/v2/json/Formats.scala` of Marathon 1.10 name the fields): the pods it
//! touches, its deployment, instance and state. Pure: no I/O, no escaping (the renderer
//! escapes).

use serde_json::Value;

use super::deployment::{Action, Deployment, Step};

/// The fields `podctl events` shows and filters on.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EventView {
    pub time: Option<String>,
    pub kind: String,
    /// Pod (or app) ids the event is about.
    pub pods: Vec<String>,
    pub deployment: Option<String>,
    pub instance: Option<String>,
    pub state: Option<String>,
}

fn text(json: &Value, field: &str) -> Option<String> {
    json.get(field).and_then(Value::as_str).map(str::to_string)
}

/// The pod id in a pod event's `uri` (`/v2/pods/web`, `/v2/pods/prod/web::status`).
pub fn pod_of_uri(uri: &str) -> Option<String> {
    let rest = uri.split_once("/v2/pods")?.1;
    let rest = rest.split("::").next().unwrap_or(rest);
    let id = rest.trim_end_matches('/');
    (!id.is_empty()).then(|| id.to_string())
}

/// The plan of a deployment event (`plan`, with `currentStep` as a step of it), as the
/// deployments list shows one: its steps, the current one counted from 1, its actions, and
/// the pods and apps it affects. `None` when the event carries no plan with an id.
pub fn deployment_of(json: &Value) -> Option<Deployment> {
    let plan = json.get("plan")?;
    let id = text(plan, "id")?;
    let steps: Vec<Step> = plan
        .get("steps")
        .and_then(|s| serde_json::from_value(s.clone()).ok())
        .unwrap_or_default();
    let current: Option<Step> = json
        .get("currentStep")
        .and_then(|s| serde_json::from_value(s.clone()).ok());
    let mut d = Deployment {
        id,
        version: text(plan, "version"),
        total_steps: steps.len() as u32,
        ..Deployment::default()
    };
    for action in steps.iter().flat_map(|s| &s.actions) {
        let (list, target) = match (&action.pod, &action.app) {
            (Some(p), _) => (&mut d.affected_pods, p),
            (None, Some(a)) => (&mut d.affected_apps, a),
            (None, None) => continue,
        };
        if !list.contains(target) {
            list.push(target.clone());
        }
    }
    if let Some(current) = current {
        d.current_step = steps
            .iter()
            .position(|s| same_step(s, &current))
            .map_or(0, |i| i as u32 + 1);
        d.current_actions = current.actions;
    }
    d.steps = steps;
    Some(d)
}

fn same_step(a: &Step, b: &Step) -> bool {
    let key = |x: &Action| (x.action.clone(), x.pod.clone(), x.app.clone());
    a.actions.len() == b.actions.len() && a.actions.iter().map(key).eq(b.actions.iter().map(key))
}

/// Reads what an event is about.
pub fn view(kind: &str, json: &Value) -> EventView {
    let mut v = EventView {
        time: text(json, "timestamp"),
        kind: kind.to_string(),
        ..EventView::default()
    };
    match kind {
        "pod_created_event" | "pod_updated_event" | "pod_deleted_event" => {
            v.pods
                .extend(text(json, "uri").as_deref().and_then(pod_of_uri));
        }
        "deployment_info"
        | "deployment_step_success"
        | "deployment_step_failure"
        | "deployment_success"
        | "deployment_failed" => {
            let d = deployment_of(json);
            v.deployment = d
                .as_ref()
                .map(|d| d.id.clone())
                .or_else(|| text(json, "id"));
            if let Some(d) = &d {
                v.pods = d
                    .affected_pods
                    .iter()
                    .chain(&d.affected_apps)
                    .cloned()
                    .collect();
                if kind != "deployment_success" && kind != "deployment_failed" && d.total_steps > 0
                {
                    v.state = Some(format!("step {}/{}", d.current_step, d.total_steps));
                }
            }
            if kind == "deployment_failed" {
                v.state = text(json, "reason").or(v.state);
            }
        }
        "instance_changed_event" => {
            v.pods.extend(text(json, "runSpecId"));
            v.instance = text(json, "instanceId");
            v.state = text(json, "condition");
        }
        "instance_health_changed_event" => {
            v.pods.extend(text(json, "runSpecId"));
            v.instance = text(json, "instanceId");
            v.state = Some(
                match json.get("healthy").and_then(Value::as_bool) {
                    Some(true) => "healthy",
                    Some(false) => "unhealthy",
                    None => "health unknown",
                }
                .to_string(),
            );
        }
        "status_update_event" => {
            v.pods.extend(text(json, "appId"));
            v.instance = text(json, "taskId");
            v.state = text(json, "taskStatus");
        }
        _ => {
            for field in ["runSpecId", "appId", "podId", "groupId"] {
                v.pods.extend(text(json, field));
            }
            v.instance = text(json, "instanceId").or_else(|| text(json, "taskId"));
            v.deployment = text(json, "id").filter(|_| kind.starts_with("deployment"));
        }
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn pod_events_name_their_pod_by_uri() {
        assert_eq!(pod_of_uri("/v2/pods/web"), Some("/web".into()));
        assert_eq!(
            pod_of_uri("/v2/pods/prod/web::status"),
            Some("/prod/web".into())
        );
        assert_eq!(pod_of_uri("/v2/pods"), None);
        let v = view(
            "pod_updated_event",
            &json!({"clientIp": "1.2.3.4", "uri": "/v2/pods/web", "eventType": "pod_updated_event", "timestamp": "t"}),
        );
        assert_eq!(v.pods, ["/web"]);
        assert_eq!(v.time.as_deref(), Some("t"));
    }

    #[test]
    fn a_deployment_event_gives_its_plan_and_step() {
        let e = json!({
            "plan": {"id": "d1", "version": "v", "steps": [
                {"actions": [{"action": "StartPod", "pod": "/web"}]},
                {"actions": [{"action": "ScalePod", "pod": "/web"}]}]},
            "currentStep": {"actions": [{"action": "ScalePod", "pod": "/web"}]},
            "eventType": "deployment_info", "timestamp": "t"});
        let d = deployment_of(&e).unwrap();
        assert_eq!((d.current_step, d.total_steps), (2, 2));
        assert_eq!(d.affected_pods, ["/web"]);
        assert_eq!(d.current_actions[0].action, "ScalePod");
        let v = view("deployment_info", &e);
        assert_eq!(v.deployment.as_deref(), Some("d1"));
        assert_eq!(v.state.as_deref(), Some("step 2/2"));
        let failed =
            json!({"id": "d1", "plan": e["plan"], "reason": "The upgrade has been cancelled"});
        let v = view("deployment_failed", &failed);
        assert_eq!(v.state.as_deref(), Some("The upgrade has been cancelled"));
        assert_eq!(
            view("deployment_failed", &json!({"id": "d2"}))
                .deployment
                .as_deref(),
            Some("d2")
        );
    }

    #[test]
    fn instance_and_task_events_give_their_state() {
        let v = view(
            "instance_changed_event",
            &json!({"instanceId": "web.instance-1", "condition": "Running", "runSpecId": "/web"}),
        );
        assert_eq!(
            (v.pods[0].as_str(), v.state.as_deref()),
            ("/web", Some("Running"))
        );
        let v = view(
            "status_update_event",
            &json!({"appId": "/web", "taskId": "web.instance-1.c", "taskStatus": "TASK_FAILED"}),
        );
        assert_eq!(v.instance.as_deref(), Some("web.instance-1.c"));
        assert_eq!(v.state.as_deref(), Some("TASK_FAILED"));
        // Odd values are ignored, never a panic.
        let v = view(
            "instance_changed_event",
            &json!({"instanceId": 5, "runSpecId": null}),
        );
        assert!(v.pods.is_empty() && v.instance.is_none());
    }
}
