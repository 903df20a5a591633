/** A point in the plane, optionally labelled. */
export interface Point {
  x: number;
  y: number;
  label?: string;
}

/**
 * Basic arithmetic, the service of the README's tutorial. Streaming methods (countdown, total,
 * echo) join it with streams.
 */
export interface Calculator {
  /** Adds two numbers. */
  add(a: number, b: number): Promise<number>;
  /** Divides `a` by `b`; dividing by zero is an InvalidArgument error. */
  divide(a: number, b: number): Promise<number>;
  /** The mean of the points, labelled `label` if given. */
  centroid(points: Point[], label?: string): Promise<Point>;
  /** Writes a line to the server's log; one-way, no reply. */
  log(line: string): void;
}
