/** One line of the benchmark table: a measurement, the peer it is compared with, and the goal. */
export interface BenchRow {
  bench: string;
  metric: string;
  value: string;
  peer: string;
  ratio?: number;
  goal: string;
  /** Whether the goal is met; undefined when the row is informative only. */
  met?: boolean;
}

export interface BenchOptions {
  /** CI's quick mode: tiny sizes, checks the benchmark still runs, never that it is fast. */
  quick: boolean;
}

export type Bench = (options: BenchOptions) => Promise<BenchRow[]>;
