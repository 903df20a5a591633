/** A point in the plane, optionally labelled. */
export interface Point {
  x: number;
  y: number;
  label?: string;
}

/**
 * Basic arithmetic, the service of the README's tutorial, with every kind of call: unary,
 * server stream, client stream, bidirectional stream and one-way.
 */
export interface Calculator {
  /** Adds two numbers. */
  add(a: number, b: number): Promise<number>;
  /** Divides `a` by `b`; dividing by zero is an InvalidArgument error. */
  divide(a: number, b: number): Promise<number>;
  /** The mean of the points, labelled `label` if given. */
  centroid(points: Point[], label?: string): Promise<Point>;
  /** Counts down from `from` to 1, one message per number; a server stream. */
  countdown(from: number): AsyncIterable<number>;
  /** The sum of every value the caller sends; a client stream. */
  total(values: AsyncIterable<number>): Promise<number>;
  /** Sends each line back as soon as it arrives; a bidirectional stream. */
  echo(lines: AsyncIterable<string>): AsyncIterable<string>;
  /** Writes a line to the server's log; one-way, no reply. */
  log(line: string): void;
}
