use bizproc::BizprocProperties;

#[derive(BizprocProperties)]
struct Input {
    #[bizproc(default = 100000)]
    max_limit: f64,
}

fn main() {}
