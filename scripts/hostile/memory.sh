# Section 4 of issue 19: studies too large for the memory the process may use.

# 10000 classes x 100000 features: the cluster centers alone are 8 GB of Doubles. Under a 6 GB
# address-space limit the command used to abort in the allocator ("failed to allocate 8000000032
# bytes") while drawing them; it must refuse before drawing anything, at once, and create nothing.
case_data_larger_than_the_address_space() {
  local before; before=$(snapshot .)
  (ulimit -v 6000000; MR_TIMEOUT=20 mr --classes 10000 --features 100000 --samples 1000 --seeds 1 --fractions 0 --widths 8 --epochs 1
   exit "$RC")
  RC=$?
  refused "making the data set \(Gaussian clusters\) needs about [0-9.]+ GiB, more than .*(address-space limit|memory)" &&
    unchanged . "$before"
}
hostile_case data-larger-than-the-address-space case_data_larger_than_the_address_space
