// Temporary profiling harness (not committed).
use dols::host::AnalysisHost;
use dols::settings::Settings;
use std::path::PathBuf;
use std::time::Instant;
fn main() {
    let root = PathBuf::from(std::env::args().nth(1).unwrap());
    let file = root.join("worker-0/src/routes/route0.ts");
    let text = std::fs::read_to_string(&file).unwrap();
    let mut host = AnalysisHost::new(vec![root.clone()], Settings::default());
    let a = host.analyze();
    a.file_diagnostics();
    host.set_overlay(file.clone(), text.clone());
    let a = host.analyze();
    a.file_diagnostics();
    let n: usize = std::env::var("N")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200);
    let (mut build, mut rules) = (vec![], vec![]);
    for i in 0..n {
        let edited = format!("{text}\n// {i}\n");
        host.set_overlay(file.clone(), edited);
        let t = Instant::now();
        let a = host.analyze();
        build.push(t.elapsed().as_secs_f64() * 1000.0);
        let t = Instant::now();
        a.file_diagnostics();
        rules.push(t.elapsed().as_secs_f64() * 1000.0);
        drop(host.take_retired());
    }
    build.sort_by(|a, b| a.partial_cmp(b).unwrap());
    rules.sort_by(|a, b| a.partial_cmp(b).unwrap());
    println!(
        "build p50 {:.2} ms, rules p50 {:.2} ms",
        build[n / 2],
        rules[n / 2]
    );
}
