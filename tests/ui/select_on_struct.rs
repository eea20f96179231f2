use bizproc::BizprocSelect;

#[derive(BizprocSelect)]
struct Decision {
    approved: bool,
}

fn main() {}
