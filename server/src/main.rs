fn main() -> std::process::ExitCode {
    dols::cli::main()
}
