use bizproc::BizprocProperties;

#[derive(BizprocProperties)]
struct Input {
    #[bizproc(default = "10")]
    limit: i64,
}

fn main() {}
