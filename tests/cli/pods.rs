//! The pod lifecycle against the simulator: add, list, show, update, remove, kill, versions.

use std::time::Duration;

use crate::support::{deployment_id, example_files, id_of, Sim};

#[test]
fn every_published_example_goes_through_its_whole_lifecycle() {
    let sim = Sim::start();
    let podctl = sim.podctl();
    for file in example_files() {
        let file = file.display().to_string();
        let id = id_of(file.as_ref());
        deployment_id(podctl.run(&["pod", "add", &file]).ok());
        let listed = podctl.run(&["pod", "list", "-q"]);
        assert!(listed.ok().lines().any(|l| l == id), "{file}: {listed:#?}");
        let shown = podctl.run(&["pod", "show", &id]);
        assert!(
            shown.ok().contains(&format!("Pod:          {id}")),
            "{file}: {shown:#?}"
        );
        assert!(shown.stdout.contains("STABLE"), "{file}: {shown:#?}");
        deployment_id(podctl.run(&["pod", "update", &id, &file, "--force"]).ok());
        deployment_id(podctl.run(&["pod", "remove", &id]).ok());
        podctl.run(&["pod", "show", &id]).fails(4);
    }
    assert_eq!(sim.podctl().run(&["pod", "list", "-q"]).ok(), "");
}

#[test]
fn add_reports_the_deployment_in_each_output_mode() {
    let sim = Sim::start();
    let podctl = sim.podctl();
    let human = podctl.run(&["pod", "add", "examples/web.json"]);
    let id = deployment_id(human.ok());
    assert!(sim
        .podctl()
        .run(&["pod", "list", "-q"])
        .ok()
        .contains("/web"));
    assert!(id.len() >= 8);

    let quiet = podctl.run(&["pod", "add", "-q", "examples/api.json"]);
    let bare = quiet.ok().trim();
    assert!(!bare.is_empty() && !bare.contains(' '), "{quiet:#?}");

    podctl.run(&["pod", "remove", "/web"]).ok();
    let json = podctl
        .run(&["pod", "add", "--json", "examples/web.json"])
        .json();
    assert_eq!(json["podId"], "/web");
    assert!(
        json["deploymentId"].as_str().is_some_and(|d| !d.is_empty()),
        "{json}"
    );
}

#[test]
fn list_shows_pods_and_their_containers() {
    let sim = Sim::start();
    let podctl = sim.podctl();
    let empty = podctl.run(&["pod", "list"]);
    assert_eq!(empty.ok(), "");
    assert_eq!(empty.stderr.trim(), "No pods.");
    assert_eq!(
        podctl.run(&["pod", "list", "--json"]).json(),
        serde_json::json!([])
    );

    podctl.run(&["pod", "add", "examples/web.json"]).ok();
    podctl.run(&["pod", "add", "examples/api.json"]).ok();
    let table = podctl.run(&["pod", "list"]);
    let text = table.ok();
    let lines: Vec<&str> = text.lines().collect();
    assert!(
        lines[0].starts_with("ID") && lines[0].contains("INSTANCES"),
        "{text}"
    );
    let web = lines
        .iter()
        .position(|l| l.starts_with("/web "))
        .expect(text);
    assert!(
        lines[web].contains("2/2") && lines[web].contains("STABLE"),
        "{text}"
    );
    assert!(
        lines[web + 1].contains("nginx") && lines[web + 1].contains("2 running"),
        "{text}"
    );
    assert!(lines[web + 2].contains("log-shipper"), "{text}");
    assert!(text.contains("/prod/api"), "{text}");
    assert!(!text.contains('\u{1b}'), "no colour when not a terminal");

    assert_eq!(podctl.run(&["pod", "list", "-q"]).ok(), "/prod/api\n/web\n");
    let json = podctl.run(&["pod", "list", "--json"]).json();
    assert_eq!(json.as_array().unwrap().len(), 2);
    assert!(json[0]["instances"].is_array(), "{json}");
    assert!(json[0]["spec"]["containers"].is_array(), "{json}");
}

#[test]
fn show_lists_containers_of_every_instance() {
    let sim = Sim::start();
    let podctl = sim.podctl();
    podctl.run(&["pod", "add", "examples/web.json"]).ok();
    let shown = podctl.run(&["pod", "show", "web"]);
    let text = shown.ok();
    assert!(text.contains("Instances:    2/2 stable"), "{text}");
    assert!(text.contains("Deployments:  none"), "{text}");
    let header = text
        .lines()
        .find(|l| l.starts_with("INSTANCE"))
        .expect(text);
    for col in [
        "AGENT",
        "STATUS",
        "CONTAINER",
        "STATE",
        "HEALTH",
        "ENDPOINTS",
        "SINCE",
    ] {
        assert!(header.contains(col), "{header}");
    }
    let rows: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with("web.instance-"))
        .collect();
    assert_eq!(rows.len(), 2, "{text}");
    for row in &rows {
        assert!(
            row.contains("TASK_RUNNING") && row.contains("healthy"),
            "{row}"
        );
        assert!(row.contains("http=") && row.contains(":31"), "{row}");
    }
    assert_eq!(text.matches("log-shipper").count(), 2, "{text}");

    let json = podctl.run(&["pod", "show", "/web", "--json"]).json();
    assert_eq!(json["id"], "/web");
    assert_eq!(json["instances"].as_array().unwrap().len(), 2);
    assert_eq!(podctl.run(&["pod", "show", "/web", "-q"]).ok(), "/web\n");
}

#[test]
fn show_reports_a_deployment_in_progress() {
    let sim = Sim::manual(&["--deploy-time", "20s"]);
    let podctl = sim.podctl();
    let id = deployment_id(podctl.run(&["pod", "add", "examples/web.json"]).ok());
    let shown = podctl.run(&["pod", "show", "/web"]);
    assert!(shown.ok().contains(&id), "{shown:#?}");
    assert!(shown.stdout.contains("DEGRADED"), "{shown:#?}");
}

#[test]
fn nested_ids_work_with_or_without_slashes() {
    let sim = Sim::start();
    let podctl = sim.podctl();
    podctl.run(&["pod", "add", "examples/api.json"]).ok();
    for form in ["/prod/api", "prod/api", "/prod/api/", "prod/api/"] {
        let json = podctl.run(&["pod", "show", form, "--json"]).json();
        assert_eq!(json["id"], "/prod/api", "{form}");
    }
    assert!(sim
        .requests()
        .iter()
        .any(|r| r.contains("/v2/pods/prod/api::status")));
    podctl.run(&["pod", "versions", "prod/api"]).ok();
    podctl.run(&["pod", "remove", "prod/api/"]).ok();
    podctl.run(&["pod", "show", "/prod/api"]).fails(4);
}

#[test]
fn definitions_come_from_stdin() {
    let sim = Sim::start();
    let podctl = sim.podctl();
    let text = std::fs::read_to_string("examples/web.json").unwrap();
    deployment_id(podctl.run_with_stdin(&["pod", "add", "-"], &text).ok());
    podctl.run(&["pod", "remove", "/web"]).ok();
    deployment_id(podctl.run_with_stdin(&["pod", "add"], &text).ok());

    // `update` reads stdin when no file is given, and fills in a missing id.
    let mut v: serde_json::Value = serde_json::from_str(&text).unwrap();
    v["scaling"]["instances"] = 3.into();
    v.as_object_mut().unwrap().remove("id");
    podctl
        .run_with_stdin(&["pod", "update", "/web"], &v.to_string())
        .ok();
    let json = podctl.run(&["pod", "show", "/web", "--json"]).json();
    assert_eq!(json["spec"]["scaling"]["instances"], 3);
}

#[test]
fn update_changes_the_pod_and_keeps_versions() {
    let sim = Sim::start();
    let podctl = sim.podctl();
    podctl.run(&["pod", "add", "examples/web.json"]).ok();
    deployment_id(
        podctl
            .run(&["pod", "update", "/web", "examples/web-v2.json"])
            .ok(),
    );
    let json = podctl.run(&["pod", "show", "/web", "--json"]).json();
    assert_eq!(json["spec"]["scaling"]["instances"], 3);
    assert_eq!(json["spec"]["containers"][0]["image"]["id"], "nginx:1.28");

    let versions = podctl.run(&["pod", "versions", "/web", "-q"]);
    assert_eq!(versions.ok().lines().count(), 2, "{versions:#?}");
    let table = podctl.run(&["pod", "versions", "/web"]);
    assert!(table.ok().starts_with("   VERSION"), "{table:#?}");
    let json = podctl.run(&["pod", "versions", "/web", "--json"]).json();
    assert_eq!(json.as_array().unwrap().len(), 2);
    assert!(sim
        .requests()
        .iter()
        .any(|r| r.starts_with("PUT /v2/pods/web ") || r.contains("PUT /v2/pods/web ")));
}

#[test]
fn update_sends_force_only_when_asked() {
    let sim = Sim::start();
    let podctl = sim.podctl();
    podctl.run(&["pod", "add", "examples/web.json"]).ok();
    podctl
        .run(&["pod", "update", "/web", "examples/web-v2.json"])
        .ok();
    podctl
        .run(&["pod", "update", "/web", "examples/web.json", "--force"])
        .ok();
    let puts: Vec<String> = sim
        .requests()
        .into_iter()
        .filter(|r| r.contains("PUT "))
        .collect();
    assert_eq!(puts.len(), 2, "{puts:?}");
    assert!(!puts[0].contains("force"), "{puts:?}");
    assert!(puts[1].contains("force=true"), "{puts:?}");
}

#[test]
fn a_locked_pod_needs_force() {
    let sim = Sim::manual(&["--deploy-time", "60s"]);
    let podctl = sim.podctl();
    let first = deployment_id(podctl.run(&["pod", "add", "examples/web.json"]).ok());
    let err = podctl
        .run(&["pod", "update", "/web", "examples/web-v2.json"])
        .fails(5)
        .to_string();
    assert!(
        err.contains("App is locked by one or more deployments"),
        "{err}"
    );
    assert!(err.contains(&first), "names the deployment: {err}");
    assert!(err.contains("--force"), "{err}");
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    let second = deployment_id(
        podctl
            .run(&["pod", "update", "/web", "examples/web-v2.json", "--force"])
            .ok(),
    );
    assert_ne!(first, second);
    podctl.run(&["pod", "remove", "/web"]).fails(5);
    deployment_id(podctl.run(&["pod", "remove", "/web", "--force"]).ok());
}

#[test]
fn remove_reports_the_deployment() {
    let sim = Sim::start();
    let podctl = sim.podctl();
    podctl.run(&["pod", "add", "examples/web.json"]).ok();
    let quiet = podctl.run(&["pod", "remove", "/web", "-q"]);
    assert!(!quiet.ok().trim().is_empty() && !quiet.stdout.contains(' '));
    podctl.run(&["pod", "add", "examples/web.json"]).ok();
    let json = podctl.run(&["pod", "remove", "/web", "--json"]).json();
    assert_eq!(json["podId"], "/web");
    assert!(json["deploymentId"].is_string());
    podctl.run(&["pod", "remove", "/web"]).fails(4);
}

#[test]
fn kill_replaces_instances() {
    let sim = Sim::manual(&["--deploy-time", "0"]);
    let podctl = sim.podctl();
    podctl.run(&["pod", "add", "examples/web.json"]).ok();
    let status = podctl.run(&["pod", "show", "/web", "--json"]).json();
    let first = status["instances"][0]["id"].as_str().unwrap().to_string();
    let killed = podctl.run(&["pod", "kill", "/web", &first]);
    assert_eq!(killed.ok(), format!("Killed instance {first}\n"));
    let quiet = podctl.run(&["pod", "kill", "/web", &first, "-q"]);
    assert_eq!(quiet.ok(), format!("{first}\n"));
    let json = podctl
        .run(&["pod", "kill", "/web", &first, "--json"])
        .json();
    assert_eq!(json[0]["instanceId"], first.as_str());
    // Marathon replaces killed instances: the pod comes back to two.
    sim.advance(Duration::from_secs(10));
    let s = podctl.run(&["pod", "show", "/web", "--json"]).json();
    assert_eq!(s["status"], "STABLE", "{s}");
    assert_eq!(s["instances"].as_array().unwrap().len(), 2, "{s}");

    let missing = "web.instance-00000000-0000-0000-0000-000000000000";
    let err = podctl
        .run(&["pod", "kill", "/web", missing])
        .fails(4)
        .to_string();
    assert!(err.contains(missing), "{err}");
    podctl.run(&["pod", "kill", "/nope", missing]).fails(4);
    assert!(sim
        .requests()
        .iter()
        .any(|r| r.contains("DELETE /v2/pods/web::instances")));
}

#[test]
fn kill_with_wipe_sends_wipe() {
    let sim = Sim::start();
    let podctl = sim.podctl();
    podctl.run(&["pod", "add", "examples/web.json"]).ok();
    let status = podctl.run(&["pod", "show", "/web", "--json"]).json();
    let first = status["instances"][0]["id"].as_str().unwrap().to_string();
    podctl.run(&["pod", "kill", "/web", &first, "--wipe"]).ok();
    assert!(sim
        .requests()
        .iter()
        .any(|r| r.contains("::instances?wipe=true")));
}

#[test]
fn instances_come_up_over_the_deploy_time() {
    let sim = Sim::manual(&["--deploy-time", "2s"]);
    let podctl = sim.podctl();
    podctl.run(&["pod", "add", "examples/web.json"]).ok();
    let states = |s: &serde_json::Value| -> Vec<String> {
        let instances = s["instances"].as_array().unwrap();
        instances.iter().map(|i| i["status"].to_string()).collect()
    };
    let early = podctl.run(&["pod", "show", "/web", "--json"]).json();
    assert_eq!(early["status"], "DEGRADED", "{early}");
    assert!(
        !states(&early).contains(&"\"STABLE\"".to_string()),
        "{early}"
    );
    // Half the deploy time: the first of two instances is up, the pod is not yet.
    sim.advance(Duration::from_secs(1));
    let half = podctl.run(&["pod", "show", "/web", "--json"]).json();
    assert_eq!(half["status"], "DEGRADED", "{half}");
    assert_eq!(
        states(&half).iter().filter(|s| *s == "\"STABLE\"").count(),
        1,
        "{half}"
    );
    sim.advance(Duration::from_secs(1));
    let done = podctl.run(&["pod", "show", "/web", "--json"]).json();
    assert_eq!(done["status"], "STABLE", "{done}");
    let list = podctl.run(&["pod", "list"]);
    assert!(list.ok().contains("2 running"), "{list:#?}");
}
