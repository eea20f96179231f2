use bizproc::BizprocProperties;

#[derive(BizprocProperties)]
struct Input {
    tags: Option<Vec<String>>,
}

fn main() {}
