use bizproc::BizprocProperties;

#[derive(BizprocProperties)]
struct Input {
    #[bizproc(default = 2.5)]
    limit: i64,
}

fn main() {}
