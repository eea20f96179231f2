use bizproc::BizprocReturn;

#[derive(BizprocReturn)]
#[bizproc(code = "credit check", name = "Credit check")]
struct CreditCheck {
    score: i64,
}

fn main() {}
