use bizproc::BizprocProperties;

#[derive(BizprocProperties)]
struct Input {
    rows: Vec<Vec<String>>,
}

fn main() {}
