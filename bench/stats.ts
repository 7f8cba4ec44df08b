/** Order statistics for the benchmarks' tables: the value at fraction `f` of the sorted runs (0.5: the median, lower of two). */
export const quantile = (xs: number[], f: number): number => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) * f)];
