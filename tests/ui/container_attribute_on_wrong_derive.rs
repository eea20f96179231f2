use bizproc::BizprocProperties;

#[derive(BizprocProperties)]
#[bizproc(code = "credit_check")]
struct Input {
    inn: String,
}

fn main() {}
