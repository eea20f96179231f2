use bizproc::BizprocProperties;

#[derive(BizprocProperties)]
struct Input<T> {
    value: T,
}

fn main() {}
