use bizproc::BizprocReturn;

struct Money {
    cents: i64,
}

#[derive(BizprocReturn)]
#[bizproc(code = "price", name = "Price")]
struct Price {
    total: Money,
}

fn main() {}
