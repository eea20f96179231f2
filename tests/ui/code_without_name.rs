use bizproc::BizprocReturn;

#[derive(BizprocReturn)]
#[bizproc(code = "credit_check")]
struct CreditCheck {
    score: i64,
}

fn main() {}
