//! `infra/deploy/` kept honest against the binary it runs.
//!
//! Every Compose service and every Kubernetes container that runs `emporium` is read
//! out of the manifests (compose.yaml, and every document of every `k8s/*.yaml`) and
//! checked against `emporium … --help` of the binary built here: the subcommand exists,
//! each `--flag` it passes and each `EMPORIUM_*` variable it sets is one of that
//! subcommand's options, enum values are among its possible values, and a URL's scheme
//! is one the option's help names. Then the manifests' structural promises: probes on
//! `/health` and `/health/ready`, resources, non-root and read-only containers with an
//! emptyDir data dir, the HPAs, the 3-node NATS JetStream cluster, healthchecks and
//! start order in Compose. The Dockerfile is checked as text, and the probe script the
//! image installs is run against a live `emporium serve`.
//!
//! Each check collects every problem it finds and fails once, listing them all.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::rc::Rc;
use std::time::{Duration, Instant};

use anyhow::Context;
use yaml_rust2::{Yaml, YamlLoader};

/// The processes of the distributed shape, each of which both Compose and Kubernetes run.
const PROCESSES: [&str; 5] = ["relay", "projector", "saga", "write-api", "read-api"];

fn deploy_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../infra/deploy")
}

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn read(path: &Path) -> anyhow::Result<String> {
    std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))
}

/// Fails with every problem, one a line.
fn assert_no_problems(what: &str, problems: &[String]) {
    assert!(problems.is_empty(), "{what}: {} problem(s):\n  - {}", problems.len(), problems.join("\n  - "));
}

// ---------------------------------------------------------------------------------
// What the binary accepts, read from its --help.
// ---------------------------------------------------------------------------------

/// One option of a (sub)command, as `--help` shows it.
#[derive(Debug, Default, Clone)]
struct Opt {
    long: String,
    short: Option<char>,
    env: Option<String>,
    takes_value: bool,
    /// Its whole help text (head line and description).
    text: String,
    /// `Possible values`, when clap lists them.
    possible: Vec<String>,
    default: Option<String>,
}

/// A (sub)command's `--help`.
#[derive(Debug, Default)]
struct Help {
    subcommands: BTreeSet<String>,
    options: Vec<Opt>,
    takes_arguments: bool,
}

impl Help {
    fn by_long(&self, long: &str) -> Option<&Opt> {
        self.options.iter().find(|o| o.long == long)
    }
    fn by_short(&self, short: char) -> Option<&Opt> {
        self.options.iter().find(|o| o.short == Some(short))
    }
    fn by_env(&self, env: &str) -> Option<&Opt> {
        self.options.iter().find(|o| o.env.as_deref() == Some(env))
    }
    fn envs(&self) -> Vec<&str> {
        self.options.iter().filter_map(|o| o.env.as_deref()).collect()
    }
}

/// Parses clap's long help (`--help`): sections `Commands:`, `Arguments:`, and options
/// sections, where an option is a head line (`  -h, --help`, `      --port <PORT>`)
/// followed by its indented description.
fn parse_help(text: &str) -> Help {
    let mut help = Help::default();
    let mut section = String::new();
    let mut current: Option<Opt> = None;
    let flush = |current: &mut Option<Opt>, help: &mut Help| {
        if let Some(opt) = current.take() {
            help.options.push(finish_opt(opt));
        }
    };
    for line in text.lines() {
        if line.trim().is_empty() {
            continue;
        }
        let indent = line.len() - line.trim_start().len();
        let trimmed = line.trim();
        if indent == 0 {
            flush(&mut current, &mut help);
            section = if trimmed.ends_with(':') { trimmed.to_owned() } else { String::new() };
            continue;
        }
        match section.as_str() {
            "" => {}
            "Commands:" => {
                if indent == 2
                    && let Some(name) = trimmed.split_whitespace().next()
                    && name != "help"
                {
                    help.subcommands.insert(name.to_owned());
                }
            }
            "Arguments:" => help.takes_arguments = true,
            _ => {
                if indent < 8 && trimmed.starts_with('-') {
                    flush(&mut current, &mut help);
                    current = Some(head_line(trimmed));
                } else if let Some(opt) = current.as_mut() {
                    opt.text.push_str(trimmed);
                    opt.text.push('\n');
                }
            }
        }
    }
    flush(&mut current, &mut help);
    help
}

/// `-h, --help`, `--port <PORT>`, `--bus <BUS>  description…`
fn head_line(line: &str) -> Opt {
    let mut opt = Opt { text: format!("{line}\n"), ..Opt::default() };
    let spec = line.split("  ").next().unwrap_or(line);
    for token in spec.split([',', ' ']).filter(|t| !t.is_empty()) {
        if let Some(long) = token.strip_prefix("--") {
            opt.long = long.split('=').next().unwrap_or(long).to_owned();
        } else if let Some(short) = token.strip_prefix('-') {
            opt.short = short.chars().next();
        } else if token.starts_with('<') || token.starts_with("[<") {
            opt.takes_value = true;
        }
    }
    opt
}

fn finish_opt(mut opt: Opt) -> Opt {
    opt.env = bracketed(&opt.text, "[env: ")
        .map(|env| env.chars().take_while(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || *c == '_').collect());
    opt.default = bracketed(&opt.text, "[default: ").map(|d| d.trim_end_matches(']').to_owned());
    if let Some(list) = bracketed(&opt.text, "[possible values: ") {
        opt.possible = list.trim_end_matches(']').split(", ").map(str::to_owned).collect();
    } else if opt.text.contains("Possible values:") {
        // Long form: one `- value: description` line each.
        opt.possible = opt
            .text
            .lines()
            .skip_while(|l| !l.starts_with("Possible values:"))
            .skip(1)
            .take_while(|l| l.starts_with("- "))
            .filter_map(|l| l.trim_start_matches("- ").split(':').next().map(str::to_owned))
            .collect();
    }
    opt
}

/// The text after `open` up to the closing `]` of the same bracket, if any.
fn bracketed<'a>(text: &'a str, open: &str) -> Option<&'a str> {
    let start = text.find(open)? + open.len();
    let rest = &text[start..];
    Some(&rest[..rest.find(']').unwrap_or(rest.len())])
}

/// A command path's help, or why `--help` failed.
type HelpResult = Rc<Result<Help, String>>;

/// The built binary's help, run once per command path.
#[derive(Default)]
struct Binary {
    helps: RefCell<BTreeMap<Vec<String>, HelpResult>>,
}

impl Binary {
    fn help(&self, path: &[String]) -> HelpResult {
        if let Some(help) = self.helps.borrow().get(path) {
            return help.clone();
        }
        let help = Rc::new(run_help(path).map(|text| parse_help(&text)));
        self.helps.borrow_mut().insert(path.to_vec(), help.clone());
        help
    }
}

/// `emporium PATH… --help`, with no `EMPORIUM_*` variable of this environment showing.
fn run_help(path: &[String]) -> Result<String, String> {
    let mut command = Command::new(env!("CARGO_BIN_EXE_emporium"));
    command.args(path).arg("--help");
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("EMPORIUM_") {
            command.env_remove(name);
        }
    }
    let output = command.output().map_err(|e| format!("running emporium: {e}"))?;
    if !output.status.success() {
        return Err(String::from_utf8_lossy(&output.stderr).trim().to_owned());
    }
    String::from_utf8(output.stdout).map_err(|e| format!("emporium --help printed non-UTF-8: {e}"))
}

// ---------------------------------------------------------------------------------
// What the manifests run.
// ---------------------------------------------------------------------------------

/// One `emporium` process a manifest starts.
#[derive(Debug, Clone)]
struct Run {
    /// Where it is declared, for messages.
    origin: String,
    /// The arguments after `emporium`.
    argv: Vec<String>,
    /// Environment variables, with their value when the manifests tell it.
    env: Vec<(String, Option<String>)>,
    /// Whether something probes its HTTP health endpoints.
    probed: bool,
}

impl Run {
    fn env(&self, name: &str) -> Option<&str> {
        self.env.iter().find(|(n, _)| n == name).and_then(|(_, v)| v.as_deref())
    }
    fn sets(&self, name: &str) -> bool {
        self.env.iter().any(|(n, _)| n == name)
    }
}

/// What a run resolved to against the binary.
#[derive(Debug)]
struct Resolved {
    /// The subcommand path, e.g. `["relay"]`.
    path: Vec<String>,
    /// `--flag` → value, as passed.
    flags: Vec<(String, Option<String>)>,
    positionals: Vec<String>,
}

impl Resolved {
    fn name(&self) -> String {
        self.path.join(" ")
    }
    /// The value `--long` or its variable gives (the flag wins, as in clap).
    fn setting(&self, run: &Run, long: &str, env: &str) -> Option<String> {
        self.flags
            .iter()
            .find(|(f, _)| f == long)
            .and_then(|(_, v)| v.clone())
            .or_else(|| run.env(env).map(str::to_owned))
    }
}

fn scalar(value: &Yaml) -> Option<String> {
    match value {
        Yaml::String(s) | Yaml::Real(s) => Some(s.clone()),
        Yaml::Integer(i) => Some(i.to_string()),
        Yaml::Boolean(b) => Some(b.to_string()),
        _ => None,
    }
}

fn strings(value: &Yaml) -> Vec<String> {
    match value {
        Yaml::Array(items) => items.iter().filter_map(scalar).collect(),
        Yaml::String(s) => s.split_whitespace().map(str::to_owned).collect(),
        _ => Vec::new(),
    }
}

fn hash_entries(value: &Yaml) -> Vec<(String, &Yaml)> {
    value.as_hash().map(|h| h.iter().filter_map(|(k, v)| scalar(k).map(|k| (k, v))).collect()).unwrap_or_default()
}

/// Checks one run against the binary; returns what it resolved to, if it got that far.
fn check_run(bin: &Binary, run: &Run, problems: &mut Vec<String>) -> Option<Resolved> {
    let origin = &run.origin;
    let mut path: Vec<String> = Vec::new();
    let mut help = bin.help(&path);
    let mut flags = Vec::new();
    let mut positionals = Vec::new();
    let mut args = run.argv.iter();
    while let Some(arg) = args.next() {
        let Ok(current) = help.as_ref() else {
            problems.push(format!("{origin}: `emporium --help` failed"));
            return None;
        };
        let shown = if path.is_empty() { "emporium".to_owned() } else { format!("emporium {}", path.join(" ")) };
        if let Some(flag) = arg.strip_prefix("--") {
            let (name, inline) = match flag.split_once('=') {
                Some((name, value)) => (name, Some(value.to_owned())),
                None => (flag, None),
            };
            match current.by_long(name) {
                None => problems.push(format!("{origin}: `{shown}` has no option --{name} (see `{shown} --help`)")),
                Some(opt) => {
                    let value = if opt.takes_value { inline.or_else(|| args.next().cloned()) } else { None };
                    if opt.takes_value && value.is_none() {
                        problems.push(format!("{origin}: --{name} needs a value"));
                    }
                    if let Some(value) = &value {
                        check_value(opt, &format!("--{name}"), value, &shown, origin, problems);
                    }
                    flags.push((name.to_owned(), value));
                }
            }
        } else if let Some(short) = arg.strip_prefix('-').filter(|s| !s.is_empty()) {
            for c in short.chars() {
                if current.by_short(c).is_none() {
                    problems.push(format!("{origin}: `{shown}` has no option -{c}"));
                }
            }
        } else if !current.subcommands.is_empty() {
            if !current.subcommands.contains(arg) {
                let known: Vec<&str> = current.subcommands.iter().map(String::as_str).collect();
                problems.push(format!("{origin}: `{shown}` has no subcommand `{arg}` (it has: {})", known.join(", ")));
                return None;
            }
            path.push(arg.clone());
            help = bin.help(&path);
            if let Err(error) = help.as_ref() {
                problems.push(format!("{origin}: `emporium {} --help` failed: {error}", path.join(" ")));
                return None;
            }
        } else if current.takes_arguments {
            positionals.push(arg.clone());
        } else {
            problems.push(format!("{origin}: `{shown}` takes no argument `{arg}`"));
        }
    }
    let Ok(current) = help.as_ref() else {
        problems.push(format!("{origin}: `emporium --help` failed"));
        return None;
    };
    if path.is_empty() || !current.subcommands.is_empty() {
        problems.push(format!("{origin}: runs `emporium {}` without a subcommand", run.argv.join(" ")));
        return None;
    }
    let shown = format!("emporium {}", path.join(" "));
    if run.probed && current.by_long("port").is_none() {
        problems.push(format!(
            "{origin}: `{shown}` has no --port (EMPORIUM_PORT), so it serves no /health or /health/ready, \
             yet the manifest probes them"
        ));
    }
    for (name, value) in &run.env {
        if !name.starts_with("EMPORIUM_") {
            continue;
        }
        match current.by_env(name) {
            None => problems.push(format!(
                "{origin}: {name} is not a variable of `{shown}` (its --help lists: {})",
                current.envs().join(", ")
            )),
            Some(opt) => {
                if let Some(value) = value {
                    check_value(opt, name, value, &shown, origin, problems);
                }
            }
        }
    }
    Some(Resolved { path, flags, positionals })
}

/// A value against what `--help` says of its option: possible values, numbers, URL schemes.
fn check_value(opt: &Opt, what: &str, value: &str, shown: &str, origin: &str, problems: &mut Vec<String>) {
    if !opt.possible.is_empty() && !opt.possible.iter().any(|p| p == value) {
        problems.push(format!(
            "{origin}: {what}={value:?} is not a possible value of `{shown} --{}` ({})",
            opt.long,
            opt.possible.join(", ")
        ));
    }
    if opt.default.as_deref().is_some_and(|d| d.parse::<f64>().is_ok()) && value.trim().parse::<f64>().is_err() {
        problems.push(format!("{origin}: {what}={value:?} is not a number, as `{shown} --{}` wants", opt.long));
    }
    let named_schemes = schemes(&opt.text);
    if named_schemes.is_empty() {
        return;
    }
    for item in value.split(',') {
        let Some((scheme, _)) = item.trim().split_once("://") else { continue };
        let scheme = match scheme {
            "postgresql" => "postgres",
            "https" => "http",
            other => other,
        };
        if !named_schemes.contains(scheme) {
            problems.push(format!(
                "{origin}: {what} is a {scheme}:// URL, but `{shown} --help` names only {} for --{}",
                named_schemes.iter().map(|s| format!("{s}://")).collect::<Vec<_>>().join(", "),
                opt.long
            ));
        }
    }
}

/// The URL schemes a help text names (`postgres://`, `nats://`, …).
fn schemes(text: &str) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    for (at, _) in text.match_indices("://") {
        let scheme: String = text[..at].chars().rev().take_while(|c| c.is_ascii_alphanumeric() || *c == '+').collect();
        if !scheme.is_empty() {
            found.insert(scheme.chars().rev().collect());
        }
    }
    found
}

/// The host of each URL in a (comma-separated) value.
fn url_hosts(value: &str) -> Vec<String> {
    value
        .split(',')
        .filter_map(|item| item.split_once("://").map(|(_, rest)| rest))
        .map(|rest| {
            let authority = rest.split(['/', '?']).next().unwrap_or(rest);
            let host_port = authority.rsplit('@').next().unwrap_or(authority);
            host_port.split(':').next().unwrap_or(host_port).to_owned()
        })
        .collect()
}

// ---------------------------------------------------------------------------------
// Compose.
// ---------------------------------------------------------------------------------

/// `${NAME:-default}` and `${NAME-default}` give their default; other variables are unknown.
fn interpolate(value: &str) -> Option<String> {
    let mut out = String::new();
    let mut rest = value;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let end = rest[start..].find('}')? + start;
        let inner = &rest[start + 2..end];
        let (_, default) = inner.split_once(":-").or_else(|| inner.split_once('-'))?;
        out.push_str(default);
        rest = &rest[end + 1..];
    }
    out.push_str(rest);
    Some(out)
}

fn is_emporium_image(image: &str) -> bool {
    let repo = image.split('@').next().unwrap_or(image);
    let last = repo.rsplit('/').next().unwrap_or(repo);
    last.split(':').next() == Some("emporium")
}

fn builds_dockerfile(service: &Yaml) -> bool {
    let build = &service["build"];
    build.as_str().is_some() || build["dockerfile"].as_str().is_some_and(|d| d.ends_with("infra/deploy/Dockerfile"))
}

fn parse_compose(text: &str) -> anyhow::Result<Yaml> {
    let mut docs = YamlLoader::load_from_str(text).context("parsing compose.yaml")?;
    anyhow::ensure!(docs.len() == 1, "compose.yaml holds {} documents, not one", docs.len());
    Ok(docs.remove(0))
}

/// The emporium services of a Compose file, as runs (name → run).
fn compose_runs(compose: &Yaml, problems: &mut Vec<String>) -> Vec<(String, Run)> {
    let mut runs = Vec::new();
    for (name, service) in hash_entries(&compose["services"]) {
        let image = service["image"].as_str().unwrap_or_default();
        if !is_emporium_image(image) && !builds_dockerfile(service) {
            continue;
        }
        let origin = format!("compose.yaml service {name}");
        let entrypoint = strings(&service["entrypoint"]);
        let mut argv = Vec::new();
        if let Some((program, rest)) = entrypoint.split_first() {
            if Path::new(program).file_name().and_then(|f| f.to_str()) != Some("emporium") {
                problems.push(format!("{origin}: its entrypoint {program:?} is not emporium"));
                continue;
            }
            argv.extend(rest.iter().cloned());
        }
        argv.extend(strings(&service["command"]));
        let mut env = Vec::new();
        match &service["environment"] {
            Yaml::Hash(_) => {
                for (key, value) in hash_entries(&service["environment"]) {
                    env.push((key, scalar(value).and_then(|v| interpolate(&v))));
                }
            }
            Yaml::Array(items) => {
                for item in items.iter().filter_map(Yaml::as_str) {
                    match item.split_once('=') {
                        Some((key, value)) => env.push((key.to_owned(), interpolate(value))),
                        None => env.push((item.to_owned(), None)),
                    }
                }
            }
            _ => {}
        }
        let probed = !service["healthcheck"].is_badvalue();
        runs.push((name, Run { origin, argv, env, probed }));
    }
    runs
}

/// Checks a Compose file's emporium services against the binary and its own promises.
fn check_compose(bin: &Binary, text: &str) -> Vec<String> {
    let mut problems = Vec::new();
    let compose = match parse_compose(text) {
        Ok(compose) => compose,
        Err(error) => return vec![format!("{error:#}")],
    };
    let services: BTreeMap<String, &Yaml> = hash_entries(&compose["services"]).into_iter().collect();
    let runs = compose_runs(&compose, &mut problems);
    let mut seen = BTreeSet::new();
    let mut bus_replicas = BTreeSet::new();
    for (name, run) in &runs {
        let service = services[name];
        let origin = &run.origin;
        let Some(resolved) = check_run(bin, run, &mut problems) else { continue };
        seen.insert(resolved.name());
        if let Some(replicas) = resolved.setting(run, "bus-replicas", "EMPORIUM_BUS_REPLICAS") {
            bus_replicas.insert(replicas);
        }
        // Healthcheck: readiness, through the probe the image installs.
        let test = strings(&service["healthcheck"]["test"]);
        if test.first().map(String::as_str) != Some("CMD") || test.get(1).map(String::as_str) != Some("emporium-probe")
        {
            problems.push(format!("{origin}: its healthcheck is not [\"CMD\", \"emporium-probe\", …]: {test:?}"));
        }
        if !test.iter().any(|t| t == "/health/ready") {
            problems.push(format!("{origin}: its healthcheck does not ask /health/ready: {test:?}"));
        }
        // Start order: every dependency healthy first, and every service it talks to a dependency.
        let depends: BTreeMap<String, &Yaml> = hash_entries(&service["depends_on"]).into_iter().collect();
        if depends.is_empty() {
            problems.push(format!("{origin}: no depends_on map with conditions"));
        }
        for (dep, spec) in &depends {
            if spec["condition"].as_str() != Some("service_healthy") {
                problems.push(format!("{origin}: depends_on {dep} without condition: service_healthy"));
            }
            match services.get(dep) {
                None => problems.push(format!("{origin}: depends_on {dep}, which is no service")),
                Some(other) if other["healthcheck"].is_badvalue() => {
                    problems.push(format!("{origin}: depends_on {dep} healthy, but {dep} has no healthcheck"))
                }
                Some(_) => {}
            }
        }
        for (key, value) in &run.env {
            for host in value.as_deref().map(url_hosts).unwrap_or_default() {
                if services.contains_key(&host) && !depends.contains_key(&host) {
                    problems.push(format!("{origin}: {key} points at service {host}, which it does not depend on"));
                }
            }
        }
        if !service["ports"].is_badvalue() {
            let bind = resolved.setting(run, "bind", "EMPORIUM_BIND");
            if !matches!(bind.as_deref(), Some("0.0.0.0" | "::")) {
                problems.push(format!("{origin}: publishes ports but binds {bind:?}, not 0.0.0.0"));
            }
        }
        if !service["build"].is_badvalue() {
            let context = service["build"]["context"].as_str().or(service["build"].as_str()).unwrap_or(".");
            let dockerfile = service["build"]["dockerfile"].as_str().unwrap_or("Dockerfile");
            let path = deploy_dir().join(context).join(dockerfile);
            if !path.is_file() {
                problems.push(format!("{origin}: builds {}, which does not exist", path.display()));
            }
        }
    }
    for process in PROCESSES {
        if !seen.contains(process) {
            problems.push(format!("compose.yaml runs no `emporium {process}`"));
        }
    }
    if bus_replicas.len() > 1 {
        problems.push(format!("compose.yaml: the processes disagree on EMPORIUM_BUS_REPLICAS: {bus_replicas:?}"));
    }
    // The services that are not emporium: healthchecked, so the others can wait on them.
    for (name, service) in &services {
        if runs.iter().any(|(n, _)| n == name) {
            continue;
        }
        if service["healthcheck"]["test"].is_badvalue() {
            problems.push(format!("compose.yaml service {name}: no healthcheck"));
        }
        let image = service["image"].as_str().unwrap_or_default();
        if image.starts_with("nats:") {
            if !image.starts_with("nats:2.9") {
                problems.push(format!("compose.yaml service {name}: {image} is not NATS 2.9, the contract's server"));
            }
            let command = strings(&service["command"]);
            if !command.iter().any(|c| c == "-js" || c == "--jetstream") {
                problems.push(format!("compose.yaml service {name}: NATS without -js (JetStream)"));
            }
            if bus_replicas.iter().any(|r| r != "1") {
                problems.push(format!("compose.yaml: one NATS server, but EMPORIUM_BUS_REPLICAS {bus_replicas:?}"));
            }
        }
    }
    problems
}

// ---------------------------------------------------------------------------------
// Kubernetes.
// ---------------------------------------------------------------------------------

/// Every document of every YAML file in a folder: (file name, document).
fn load_k8s(dir: &Path) -> anyhow::Result<Vec<(String, Yaml)>> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .with_context(|| format!("listing {}", dir.display()))?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml" || e == "yml"))
        .collect();
    files.sort();
    let mut docs = Vec::new();
    for file in files {
        let name = file.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_owned();
        let text = read(&file)?;
        for doc in YamlLoader::load_from_str(&text).with_context(|| format!("parsing k8s/{name}"))? {
            if !doc.is_null() {
                docs.push((name.clone(), doc));
            }
        }
    }
    Ok(docs)
}

fn kind(doc: &Yaml) -> &str {
    doc["kind"].as_str().unwrap_or_default()
}

fn name(doc: &Yaml) -> &str {
    doc["metadata"]["name"].as_str().unwrap_or_default()
}

fn find<'a>(docs: &'a [(String, Yaml)], wanted_kind: &str, wanted_name: &str) -> Option<&'a Yaml> {
    docs.iter().map(|(_, d)| d).find(|d| kind(d) == wanted_kind && name(d) == wanted_name)
}

fn pod_spec(doc: &Yaml) -> Option<&Yaml> {
    let spec = match kind(doc) {
        "Deployment" | "StatefulSet" | "DaemonSet" | "ReplicaSet" | "Job" => &doc["spec"]["template"]["spec"],
        "CronJob" => &doc["spec"]["jobTemplate"]["spec"]["template"]["spec"],
        "Pod" => &doc["spec"],
        _ => return None,
    };
    (!spec.is_badvalue()).then_some(spec)
}

fn containers(pod: &Yaml) -> Vec<&Yaml> {
    ["initContainers", "containers"].iter().filter_map(|key| pod[*key].as_vec()).flat_map(|list| list.iter()).collect()
}

/// The value of a ConfigMap or Secret key: `Ok(Some)` when the manifests say it,
/// `Ok(None)` when it exists but is opaque (base64 `data` of a Secret).
fn config_value(docs: &[(String, Yaml)], source: &str, map: &str, key: &str) -> Result<Option<String>, String> {
    let Some(doc) = find(docs, source, map) else { return Err(format!("no {source} {map}")) };
    if let Some(value) = doc["data"][key].as_str().filter(|_| source == "ConfigMap") {
        return Ok(Some(value.to_owned()));
    }
    if let Some(value) = doc["stringData"][key].as_str() {
        return Ok(Some(value.to_owned()));
    }
    if !doc["data"][key].is_badvalue() {
        return Ok(None);
    }
    Err(format!("{source} {map} has no key {key}"))
}

/// A container's environment, with values resolved through ConfigMaps and Secrets.
fn container_env(
    docs: &[(String, Yaml)],
    container: &Yaml,
    origin: &str,
    problems: &mut Vec<String>,
) -> Vec<(String, Option<String>)> {
    let mut env = Vec::new();
    for from in container["envFrom"].as_vec().into_iter().flatten() {
        let prefix = from["prefix"].as_str().unwrap_or_default();
        for (source, key) in [("ConfigMap", "configMapRef"), ("Secret", "secretRef")] {
            let Some(map) = from[key]["name"].as_str() else { continue };
            match find(docs, source, map) {
                None => problems.push(format!("{origin}: envFrom names {source} {map}, which is not in the manifests")),
                Some(doc) => {
                    for section in ["data", "stringData"] {
                        for (k, v) in hash_entries(&doc[section]) {
                            let value = if source == "Secret" && section == "data" { None } else { scalar(v) };
                            env.push((format!("{prefix}{k}"), value));
                        }
                    }
                }
            }
        }
    }
    for var in container["env"].as_vec().into_iter().flatten() {
        let Some(var_name) = var["name"].as_str() else { continue };
        let value = if !var["value"].is_badvalue() {
            match &var["value"] {
                Yaml::String(s) => Some(s.clone()),
                other => {
                    problems.push(format!("{origin}: env {var_name} has a non-string value {other:?} (quote it)"));
                    scalar(other)
                }
            }
        } else {
            let from = &var["valueFrom"];
            let mut resolved = None;
            for (source, key) in [("ConfigMap", "configMapKeyRef"), ("Secret", "secretKeyRef")] {
                let reference = &from[key];
                if reference.is_badvalue() {
                    continue;
                }
                let (map, map_key) =
                    (reference["name"].as_str().unwrap_or(""), reference["key"].as_str().unwrap_or(""));
                match config_value(docs, source, map, map_key) {
                    Ok(value) => resolved = value,
                    Err(error) if reference["optional"].as_bool() != Some(true) => {
                        problems.push(format!("{origin}: env {var_name} refers to a missing key: {error}"))
                    }
                    Err(_) => {}
                }
            }
            resolved
        };
        env.push((var_name.to_owned(), value));
    }
    env
}

/// An emporium container of a pod template.
struct K8sRun<'a> {
    doc: &'a Yaml,
    container: &'a Yaml,
    run: Run,
}

fn k8s_runs<'a>(docs: &'a [(String, Yaml)], problems: &mut Vec<String>) -> Vec<K8sRun<'a>> {
    let mut runs = Vec::new();
    for (file, doc) in docs {
        let Some(pod) = pod_spec(doc) else { continue };
        for container in containers(pod) {
            if !container["image"].as_str().is_some_and(is_emporium_image) {
                continue;
            }
            let origin = format!(
                "k8s/{file} {} {} container {}",
                kind(doc),
                name(doc),
                container["name"].as_str().unwrap_or("?")
            );
            let command = strings(&container["command"]);
            let mut argv = Vec::new();
            if let Some((program, rest)) = command.split_first() {
                if Path::new(program).file_name().and_then(|f| f.to_str()) != Some("emporium") {
                    problems.push(format!("{origin}: its command {program:?} is not emporium"));
                    continue;
                }
                argv.extend(rest.iter().cloned());
            }
            argv.extend(strings(&container["args"]));
            let env = container_env(docs, container, &origin, problems);
            let probed = ["livenessProbe", "readinessProbe", "startupProbe"]
                .iter()
                .any(|p| !container[*p]["httpGet"].is_badvalue());
            runs.push(K8sRun { doc, container, run: Run { origin, argv, env, probed } });
        }
    }
    runs
}

/// A probe's or Service's port: a number, or the name of a container port.
fn resolve_port(container: &Yaml, port: &Yaml) -> Option<i64> {
    match port {
        Yaml::Integer(n) => Some(*n),
        Yaml::String(port_name) => container["ports"]
            .as_vec()?
            .iter()
            .find(|p| p["name"].as_str() == Some(port_name))
            .and_then(|p| p["containerPort"].as_i64()),
        _ => None,
    }
}

fn labels_match(selector: &Yaml, labels: &Yaml) -> bool {
    let wanted = hash_entries(selector);
    !wanted.is_empty() && wanted.iter().all(|(k, v)| labels[k.as_str()].as_str() == v.as_str())
}

fn check_k8s(bin: &Binary, docs: &[(String, Yaml)]) -> Vec<String> {
    let mut problems = Vec::new();
    let runs = k8s_runs(docs, &mut problems);
    let mut by_process: BTreeMap<String, Vec<&Yaml>> = BTreeMap::new();
    let mut bus_replicas = BTreeSet::new();
    let mut bus_values = BTreeSet::new();
    for k8s in &runs {
        let (run, container, doc) = (&k8s.run, k8s.container, k8s.doc);
        let origin = &run.origin;
        let Some(resolved) = check_run(bin, run, &mut problems) else { continue };
        let process = resolved.name();
        if kind(doc) == "Deployment" {
            by_process.entry(process.clone()).or_default().push(doc);
        }
        if let Some(replicas) = resolved.setting(run, "bus-replicas", "EMPORIUM_BUS_REPLICAS") {
            bus_replicas.insert(replicas);
        }
        if let Some(bus) = resolved.setting(run, "bus", "EMPORIUM_BUS") {
            bus_values.insert(bus);
        }
        if matches!(process.as_str(), "relay" | "projector" | "saga") && !run.sets("EMPORIUM_BUS") {
            problems.push(format!("{origin}: `emporium {process}` without EMPORIUM_BUS: it must use JetStream here"));
        }
        // Probes: liveness /health, readiness /health/ready, on the port emporium listens on.
        let port = resolved.setting(run, "port", "EMPORIUM_PORT").and_then(|p| p.parse::<i64>().ok()).unwrap_or(8080);
        for (probe, path) in [("livenessProbe", "/health"), ("readinessProbe", "/health/ready")] {
            let get = &container[probe]["httpGet"];
            if get["path"].as_str() != Some(path) {
                problems.push(format!("{origin}: {probe} is not an httpGet of {path}"));
            } else if resolve_port(container, &get["port"]) != Some(port) {
                problems
                    .push(format!("{origin}: {probe} port {:?} is not {port}, where emporium listens", get["port"]));
            }
        }
        let bind = resolved.setting(run, "bind", "EMPORIUM_BIND");
        if !matches!(bind.as_deref(), Some("0.0.0.0" | "::")) {
            problems.push(format!("{origin}: binds {bind:?}; the kubelet and Services need 0.0.0.0"));
        }
        // Resources.
        for section in ["requests", "limits"] {
            for resource in ["cpu", "memory"] {
                if scalar(&container["resources"][section][resource]).is_none() {
                    problems.push(format!("{origin}: no resources.{section}.{resource}"));
                }
            }
        }
        // Security: non-root, no escalation, read-only root with the data dir on an emptyDir.
        let pod = pod_spec(doc).unwrap_or(&Yaml::BadValue);
        let non_root =
            container["securityContext"]["runAsNonRoot"].as_bool().or(pod["securityContext"]["runAsNonRoot"].as_bool());
        if non_root != Some(true) {
            problems.push(format!("{origin}: runAsNonRoot is not true"));
        }
        if container["securityContext"]["allowPrivilegeEscalation"].as_bool() != Some(false) {
            problems.push(format!("{origin}: allowPrivilegeEscalation is not false"));
        }
        if container["securityContext"]["readOnlyRootFilesystem"].as_bool() != Some(true) {
            problems.push(format!("{origin}: readOnlyRootFilesystem is not true"));
        }
        match resolved.setting(run, "data-dir", "EMPORIUM_DATA_DIR") {
            None => {
                problems.push(format!("{origin}: no EMPORIUM_DATA_DIR (the default ./data is on the read-only root)"))
            }
            Some(dir) => {
                let mount = container["volumeMounts"].as_vec().into_iter().flatten().find(|m| {
                    m["mountPath"].as_str().map(|p| p.trim_end_matches('/')) == Some(dir.trim_end_matches('/'))
                });
                let volume = mount
                    .and_then(|m| pod["volumes"].as_vec()?.iter().find(|v| v["name"].as_str() == m["name"].as_str()));
                if volume.is_none_or(|v| v["emptyDir"].is_badvalue()) {
                    problems.push(format!("{origin}: the data dir {dir} is not an emptyDir volume mount"));
                }
            }
        }
        // Leaders: the lock lives in PostgreSQL, or every pod would lead on its own emptyDir.
        let replicas = doc["spec"]["replicas"].as_i64();
        let lock_store = match process.as_str() {
            "relay" => resolved.setting(run, "event-store", "EMPORIUM_EVENT_STORE"),
            "saga" => resolved
                .setting(run, "state-store", "EMPORIUM_STATE_STORE")
                .or_else(|| resolved.setting(run, "event-store", "EMPORIUM_EVENT_STORE")),
            _ => None,
        };
        if matches!(process.as_str(), "relay" | "saga") {
            if replicas.unwrap_or(1) < 2 {
                problems.push(format!("{origin}: {replicas:?} replicas; a leader and a standby need 2"));
            }
            if !lock_store.as_deref().is_some_and(|s| s.starts_with("postgres://") || s.starts_with("postgresql://")) {
                problems.push(format!("{origin}: its leader lock's store is {lock_store:?}, not PostgreSQL"));
            }
        }
        if process == "projector" && resolved.positionals.is_empty() {
            if replicas.unwrap_or(1) != 1 {
                problems.push(format!("{origin}: {replicas:?} replicas of every projector; a durable has one reader"));
            }
            if doc["spec"]["strategy"]["type"].as_str() != Some("Recreate") {
                problems.push(format!("{origin}: not `strategy: Recreate`; old and new pods would share durables"));
            }
        }
    }
    for process in PROCESSES {
        if !by_process.contains_key(process) {
            problems.push(format!("k8s/: no Deployment runs `emporium {process}`"));
        }
    }
    for (process, deployments) in &by_process {
        for doc in deployments {
            if !labels_match(&doc["spec"]["selector"]["matchLabels"], &doc["spec"]["template"]["metadata"]["labels"]) {
                problems.push(format!("k8s/ Deployment {}: selector does not match its pod labels", name(doc)));
            }
            if matches!(process.as_str(), "write-api" | "read-api") {
                let service = docs.iter().map(|(_, d)| d).find(|d| {
                    kind(d) == "Service"
                        && labels_match(&d["spec"]["selector"], &doc["spec"]["template"]["metadata"]["labels"])
                });
                match service {
                    None => problems.push(format!("k8s/: no Service selects Deployment {} ({process})", name(doc))),
                    Some(service) => {
                        let container = pod_spec(doc).map(containers).and_then(|c| c.first().copied());
                        for port in service["spec"]["ports"].as_vec().into_iter().flatten() {
                            if container.and_then(|c| resolve_port(c, &port["targetPort"])).is_none() {
                                problems.push(format!(
                                    "k8s/ Service {}: targetPort {:?} is no container port",
                                    name(service),
                                    port["targetPort"]
                                ));
                            }
                        }
                    }
                }
            }
        }
    }
    // HPAs: autoscaling/v2 on CPU 70%, exactly on the two APIs.
    let mut scaled = BTreeSet::new();
    for (file, hpa) in docs.iter().filter(|(_, d)| kind(d) == "HorizontalPodAutoscaler") {
        let origin = format!("k8s/{file} HorizontalPodAutoscaler {}", name(hpa));
        if hpa["apiVersion"].as_str() != Some("autoscaling/v2") {
            problems.push(format!("{origin}: not autoscaling/v2"));
        }
        let target = &hpa["spec"]["scaleTargetRef"];
        let target_name = target["name"].as_str().unwrap_or_default();
        match find(docs, target["kind"].as_str().unwrap_or_default(), target_name) {
            None => problems.push(format!("{origin}: its target {target_name} is not in the manifests")),
            Some(deployment) => {
                let process = by_process.iter().find(|(_, ds)| ds.iter().any(|d| std::ptr::eq(*d, deployment)));
                match process {
                    Some((process, _)) => {
                        scaled.insert(process.clone());
                    }
                    None => problems.push(format!("{origin}: its target {target_name} runs no emporium process")),
                }
                if !deployment["spec"]["replicas"].is_badvalue() {
                    problems.push(format!("{origin}: Deployment {target_name} sets replicas, which the HPA owns"));
                }
            }
        }
        let cpu_70 = hpa["spec"]["metrics"].as_vec().into_iter().flatten().any(|m| {
            m["resource"]["name"].as_str() == Some("cpu")
                && m["resource"]["target"]["type"].as_str() == Some("Utilization")
                && m["resource"]["target"]["averageUtilization"].as_i64() == Some(70)
        });
        if !cpu_70 {
            problems.push(format!("{origin}: no CPU utilisation target of 70%"));
        }
        let (min, max) =
            (hpa["spec"]["minReplicas"].as_i64().unwrap_or(1), hpa["spec"]["maxReplicas"].as_i64().unwrap_or(0));
        if min > max {
            problems.push(format!("{origin}: minReplicas {min} > maxReplicas {max}"));
        }
    }
    let apis: BTreeSet<String> = ["write-api", "read-api"].iter().map(|s| (*s).to_owned()).collect();
    if scaled != apis {
        problems.push(format!("k8s/: the HPAs scale {scaled:?}, not exactly write-api and read-api"));
    }
    check_nats(docs, &bus_values, &bus_replicas, &mut problems);
    check_k8s_objects(docs, &mut problems);
    problems
}

/// The NATS JetStream StatefulSet: 3 members, a headless Service, routes to each, and
/// the bus settings pointing at it.
fn check_nats(
    docs: &[(String, Yaml)],
    bus_values: &BTreeSet<String>,
    bus_replicas: &BTreeSet<String>,
    problems: &mut Vec<String>,
) {
    let nats =
        docs.iter().map(|(_, d)| d).find(|d| {
            kind(d) == "StatefulSet"
                && pod_spec(d).map(containers).unwrap_or_default().iter().any(|c| {
                    c["image"].as_str().is_some_and(|i| i.rsplit('/').next().unwrap_or(i).starts_with("nats:"))
                })
        });
    let Some(nats) = nats else {
        problems.push("k8s/: no NATS StatefulSet".to_owned());
        return;
    };
    let sts = name(nats);
    let replicas = nats["spec"]["replicas"].as_i64().unwrap_or(1);
    if replicas != 3 {
        problems.push(format!("k8s/ StatefulSet {sts}: {replicas} replicas, not 3"));
    }
    let headless = nats["spec"]["serviceName"].as_str().unwrap_or_default();
    match find(docs, "Service", headless) {
        Some(service) if service["spec"]["clusterIP"].as_str() == Some("None") => {}
        _ => problems.push(format!("k8s/ StatefulSet {sts}: serviceName {headless:?} is no headless Service")),
    }
    let pod = pod_spec(nats).unwrap_or(&Yaml::BadValue);
    for container in containers(pod) {
        let image = container["image"].as_str().unwrap_or_default();
        if !image.rsplit('/').next().unwrap_or(image).starts_with("nats:2.9") {
            problems.push(format!("k8s/ StatefulSet {sts}: {image} is not NATS 2.9, the contract's server"));
        }
    }
    // Its configuration: JetStream on, and a route to every member.
    let config: String = pod["volumes"]
        .as_vec()
        .into_iter()
        .flatten()
        .filter_map(|v| v["configMap"]["name"].as_str())
        .filter_map(|map| find(docs, "ConfigMap", map))
        .flat_map(|map| hash_entries(&map["data"]).into_iter().filter_map(|(_, v)| scalar(v)))
        .collect();
    if !config.contains("jetstream") {
        problems.push(format!("k8s/ StatefulSet {sts}: its configuration does not enable jetstream"));
    }
    let members: Vec<String> = (0..replicas).map(|i| format!("{sts}-{i}.{headless}")).collect();
    for member in &members {
        if !config.contains(&format!("nats://{member}")) {
            problems.push(format!("k8s/ StatefulSet {sts}: no cluster route to {member}"));
        }
    }
    // The processes' bus: these members (or a Service of them), R3.
    if bus_values.is_empty() {
        problems.push("k8s/: no emporium process names EMPORIUM_BUS".to_owned());
    }
    for bus in bus_values {
        for host in url_hosts(bus) {
            let short = host.split(".svc").next().unwrap_or(&host);
            let short = short.strip_suffix(".emporium").unwrap_or(short);
            let is_service = find(docs, "Service", short)
                .is_some_and(|s| labels_match(&s["spec"]["selector"], &nats["spec"]["template"]["metadata"]["labels"]));
            if !members.iter().any(|m| m == short) && !is_service {
                problems.push(format!("k8s/: EMPORIUM_BUS names {host}, which is no member of StatefulSet {sts}"));
            }
        }
    }
    let wanted: BTreeSet<String> = ["3".to_owned()].into();
    if *bus_replicas != wanted {
        problems.push(format!(
            "k8s/: EMPORIUM_BUS_REPLICAS is {bus_replicas:?}, not 3 everywhere (R3 on the 3-node cluster)"
        ));
    }
}

/// Namespace, kustomization and Secret placeholders.
fn check_k8s_objects(docs: &[(String, Yaml)], problems: &mut Vec<String>) {
    let namespace = docs.iter().find(|(_, d)| kind(d) == "Namespace").map(|(_, d)| name(d).to_owned());
    let Some(namespace) = namespace else {
        problems.push("k8s/: no Namespace".to_owned());
        return;
    };
    for (file, doc) in docs {
        if matches!(kind(doc), "Namespace" | "Kustomization") {
            continue;
        }
        if doc["metadata"]["namespace"].as_str() != Some(namespace.as_str()) {
            problems.push(format!("k8s/{file} {} {}: not in namespace {namespace}", kind(doc), name(doc)));
        }
    }
    for (file, doc) in docs.iter().filter(|(_, d)| kind(d) == "Secret") {
        for (key, value) in hash_entries(&doc["stringData"]).into_iter().chain(hash_entries(&doc["data"])) {
            if !scalar(value).is_some_and(|v| v.contains("CHANGE_ME")) {
                problems.push(format!("k8s/{file} Secret {}: {key} is not a CHANGE_ME placeholder", name(doc)));
            }
        }
    }
    let files: BTreeSet<&str> = docs.iter().map(|(f, _)| f.as_str()).collect();
    match docs.iter().find(|(_, d)| kind(d) == "Kustomization") {
        None => problems.push("k8s/: no kustomization.yaml".to_owned()),
        Some((file, kustomization)) => {
            let listed: BTreeSet<String> = strings(&kustomization["resources"]).into_iter().collect();
            for f in files.iter().filter(|f| **f != file.as_str()) {
                if !listed.contains(*f) {
                    problems.push(format!("k8s/{file}: does not list {f}"));
                }
            }
            for f in &listed {
                if !files.contains(f.as_str()) {
                    problems.push(format!("k8s/{file}: lists {f}, which is not there"));
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------------
// The tests.
// ---------------------------------------------------------------------------------

#[test]
fn the_binary_has_every_process_of_the_distributed_shape() {
    let bin = Binary::default();
    let top = bin.help(&[]);
    let top = top.as_ref().as_ref().unwrap();
    let missing: Vec<&str> = PROCESSES.iter().copied().filter(|p| !top.subcommands.contains(*p)).collect();
    assert!(
        missing.is_empty(),
        "`emporium --help` lacks {missing:?} (it has {:?}); infra/deploy/ runs them all",
        top.subcommands
    );
    for process in PROCESSES {
        let help = bin.help(&[process.to_owned()]);
        let help = help.as_ref().as_ref().unwrap();
        assert!(help.by_env("EMPORIUM_EVENT_STORE").is_some(), "`emporium {process} --help` parses to no options");
    }
}

#[test]
fn compose_runs_what_the_binary_accepts_and_keeps_its_promises() {
    let text = read(&deploy_dir().join("compose.yaml")).unwrap();
    assert_no_problems("infra/deploy/compose.yaml", &check_compose(&Binary::default(), &text));
}

#[test]
fn kubernetes_runs_what_the_binary_accepts_and_keeps_its_promises() {
    let docs = load_k8s(&deploy_dir().join("k8s")).unwrap();
    assert!(docs.len() > 10, "k8s/ holds only {} documents", docs.len());
    assert_no_problems("infra/deploy/k8s", &check_k8s(&Binary::default(), &docs));
}

/// The checks can fail: a misspelled flag, variable, subcommand or value, broken on
/// purpose in a copy of the real manifests, is each reported.
#[test]
fn misspellings_in_the_manifests_are_caught() {
    let bin = Binary::default();
    let compose = read(&deploy_dir().join("compose.yaml")).unwrap();
    let broken = compose
        .replacen(r#"command: ["relay"]"#, r#"command: ["relay", "--bus-replica", "1"]"#, 1)
        .replacen(r#"command: ["projector"]"#, r#"command: ["projektor"]"#, 1)
        .replacen("EMPORIUM_PAYMENTS: simulated", "EMPORIUM_PAYMENTS: simulatd", 1)
        .replacen("EMPORIUM_PUBLIC_URL:", "EMPORIUM_PUBLIC_URI:", 1);
    assert_ne!(broken, compose);
    let problems = check_compose(&bin, &broken).join("\n");
    for expected in ["--bus-replica", "`projektor`", "\"simulatd\"", "EMPORIUM_PUBLIC_URI"] {
        assert!(problems.contains(expected), "the broken compose.yaml's {expected} went unreported:\n{problems}");
    }

    let mut docs = load_k8s(&deploy_dir().join("k8s")).unwrap();
    let (_, config) = docs.iter_mut().find(|(_, d)| kind(d) == "ConfigMap" && name(d) == "emporium-config").unwrap();
    let Yaml::Hash(data) = &mut config["data"] else { panic!("emporium-config has no data") };
    data.insert(Yaml::String("EMPORIUM_LOG_FORMAT".into()), Yaml::String("jsn".into()));
    let (_, saga) = docs.iter_mut().find(|(_, d)| kind(d) == "Deployment" && name(d) == "saga").unwrap();
    let Yaml::Array(containers) = &mut saga["spec"]["template"]["spec"]["containers"] else {
        panic!("saga has no containers")
    };
    let Yaml::Array(args) = &mut containers[0]["args"] else { panic!("saga has no args") };
    args.push(Yaml::String("--jwt-secrets=x".into()));
    let problems = check_k8s(&bin, &docs).join("\n");
    for expected in ["--jwt-secrets", "\"jsn\""] {
        assert!(problems.contains(expected), "the broken k8s manifests' {expected} went unreported:\n{problems}");
    }
}

#[test]
fn the_dockerfile_builds_the_emporium_package_and_runs_it_as_non_root() {
    let dockerfile = read(&deploy_dir().join("Dockerfile")).unwrap();
    // Instructions, with continuation lines joined and comments dropped.
    let joined = dockerfile
        .lines()
        .filter(|l| !l.trim_start().starts_with('#'))
        .collect::<Vec<_>>()
        .join("\n")
        .replace("\\\n", " ");
    let instructions: Vec<(String, String)> = joined
        .lines()
        .filter_map(|l| l.trim().split_once(' ').map(|(i, rest)| (i.to_uppercase(), rest.trim().to_owned())))
        .collect();
    let last_stage = instructions.iter().rposition(|(i, _)| i == "FROM").unwrap();
    let runtime = &instructions[last_stage..];
    let mut problems = Vec::new();
    let froms: Vec<&str> = instructions.iter().filter(|(i, _)| i == "FROM").map(|(_, r)| r.as_str()).collect();
    if !froms.first().is_some_and(|f| f.starts_with("rust:1-bookworm")) {
        problems.push(format!("the build stage is not rust:1-bookworm: {froms:?}"));
    }
    if !runtime[0].1.starts_with("debian:bookworm-slim") {
        problems.push(format!("the runtime stage is not debian:bookworm-slim: {}", runtime[0].1));
    }
    let builds = instructions.iter().any(|(i, r)| {
        i == "RUN"
            && r.contains("cargo build")
            && r.contains("--release")
            && r.contains("-p emporium")
            && r.contains("--locked")
    });
    if !builds {
        problems.push("no `RUN … cargo build --release -p emporium --locked`".to_owned());
    }
    let last = |name: &str| runtime.iter().rev().find(|(i, _)| i == name).map(|(_, r)| r.clone());
    if last("ENTRYPOINT").as_deref() != Some(r#"["emporium"]"#) {
        problems.push(format!("the entrypoint is {:?}, not [\"emporium\"]", last("ENTRYPOINT")));
    }
    match last("USER") {
        Some(user) if !user.starts_with("root") && !user.starts_with("0") => {}
        other => problems.push(format!("the runtime user is {other:?}, not a non-root one")),
    }
    if !runtime.iter().any(|(i, r)| i == "EXPOSE" && r.split_whitespace().any(|p| p == "8080")) {
        problems.push("no EXPOSE 8080".to_owned());
    }
    if !runtime.iter().any(|(i, r)| i == "RUN" && r.contains("ca-certificates")) {
        problems.push("the runtime installs no ca-certificates".to_owned());
    }
    // Every file copied from the build context exists (the context is the repository root).
    for (_, rest) in instructions.iter().filter(|(i, r)| i == "COPY" && !r.contains("--from")) {
        let parts: Vec<&str> = rest.split_whitespace().filter(|p| !p.starts_with("--")).collect();
        for source in &parts[..parts.len().saturating_sub(1)] {
            if *source != "." && !repo_root().join(source).exists() {
                problems.push(format!("COPY {source}: not in the repository"));
            }
        }
    }
    // The healthcheck's program is one the image installs.
    match last("HEALTHCHECK") {
        Some(check)
            if check.contains("emporium-probe")
                && !runtime.iter().any(|(i, r)| i == "COPY" && r.ends_with("/usr/local/bin/emporium-probe")) =>
        {
            problems.push("HEALTHCHECK runs emporium-probe, which the image does not install".to_owned());
        }
        Some(check) if check.contains("curl") || check.contains("wget") => {
            problems.push(format!("HEALTHCHECK uses a tool bookworm-slim lacks: {check}"));
        }
        _ => {}
    }
    // Its EMPORIUM_* defaults are variables `serve` knows.
    let bin = Binary::default();
    let serve = bin.help(&["serve".to_owned()]);
    let serve = serve.as_ref().as_ref().unwrap();
    for (_, rest) in runtime.iter().filter(|(i, _)| i == "ENV") {
        for word in rest.split_whitespace() {
            if let Some((var, _)) = word.split_once('=').filter(|(v, _)| v.starts_with("EMPORIUM_"))
                && serve.by_env(var).is_none()
            {
                problems.push(format!("ENV {var}: not a variable of `emporium serve`"));
            }
        }
    }
    assert_no_problems("infra/deploy/Dockerfile", &problems);
}

/// The image's probe (bash, no curl) against a live `emporium serve`: 200 passes,
/// anything else or nothing listening fails.
#[test]
fn the_probe_script_passes_a_live_server_and_fails_otherwise() {
    let data = tempfile::tempdir().unwrap();
    let mut command = Command::new(env!("CARGO_BIN_EXE_emporium"));
    command
        .args(["--log-format", "json", "serve", "--port", "0", "--data-dir"])
        .arg(data.path().join("data"))
        .stderr(Stdio::piped());
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("EMPORIUM_") {
            command.env_remove(name);
        }
    }
    let mut child = command.spawn().unwrap();
    struct Kill(std::process::Child);
    impl Drop for Kill {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
    let stderr = child.stderr.take().unwrap();
    let _server = Kill(child);
    let mut lines = BufReader::new(stderr).lines();
    let address = loop {
        let line = lines.next().expect("serve exited before listening").unwrap();
        let Ok(log) = serde_json::from_str::<serde_json::Value>(&line) else { continue };
        if log["message"] == "emporium listening" {
            break log["address"].as_str().unwrap().to_owned();
        }
    };
    std::thread::spawn(move || for _ in lines {});
    let port = address.rsplit(':').next().unwrap().to_owned();
    let probe = |path: &str, port: &str| {
        Command::new("bash")
            .arg(deploy_dir().join("probe.sh"))
            .arg(path)
            .env("EMPORIUM_PORT", port)
            .status()
            .unwrap()
            .success()
    };
    assert!(probe("/health", &port), "the probe failed /health on a live server at {address}");
    let deadline = Instant::now() + Duration::from_secs(20);
    while !probe("/health/ready", &port) {
        assert!(Instant::now() < deadline, "the probe never passed /health/ready at {address}");
        std::thread::sleep(Duration::from_millis(200));
    }
    assert!(!probe("/no-such-page", &port), "the probe passed a 404");
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port().to_string();
    assert!(!probe("/health", &closed), "the probe passed with nothing listening");
}
