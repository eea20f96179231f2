use bizproc::BizprocProperties;

#[derive(BizprocProperties)]
struct Input {
    #[bizproc(type = "number")]
    amount: f64,
}

fn main() {}
