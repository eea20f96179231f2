use bizproc::BizprocProperties;

const LIMIT: i64 = 10;

#[derive(BizprocProperties)]
struct Input {
    #[bizproc(default = LIMIT * 2)]
    limit: i64,
}

fn main() {}
