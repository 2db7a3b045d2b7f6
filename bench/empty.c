/* bench: an empty preload module, the baseline for start-up cost. */
int fs_bench_empty_module;
