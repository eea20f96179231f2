use bizproc::BizprocProperties;

#[derive(BizprocProperties)]
struct Input {
    tags: std::collections::HashMap<String, String>,
}

fn main() {}
