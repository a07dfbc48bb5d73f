/** The optimiser and shuffle the bundled trainers share (plain TypeScript, seeded, reproducible). */

/** Adam over a list of parameter tensors; accumulate into `grads`, then call step(lr). */
export class Adam {
  readonly grads: Float32Array[];
  private readonly mom: Float32Array[];
  private readonly vel: Float32Array[];
  private t = 0;

  constructor(
    private readonly params: Float32Array[],
    private readonly b1 = 0.9,
    private readonly b2 = 0.999,
    private readonly eps = 1e-8,
  ) {
    this.grads = params.map((p) => new Float32Array(p.length));
    this.mom = params.map((p) => new Float32Array(p.length));
    this.vel = params.map((p) => new Float32Array(p.length));
  }

  zeroGrad(): void {
    this.grads.forEach((g) => g.fill(0));
  }

  step(lr: number): void {
    this.t++;
    const { b1, b2, eps, t } = this;
    this.params.forEach((p, pi) => {
      const g = this.grads[pi]!,
        mo = this.mom[pi]!,
        ve = this.vel[pi]!;
      for (let i = 0; i < p.length; i++) {
        mo[i] = b1 * mo[i]! + (1 - b1) * g[i]!;
        ve[i] = b2 * ve[i]! + (1 - b2) * g[i]! * g[i]!;
        const mh = mo[i]! / (1 - b1 ** t);
        const vh = ve[i]! / (1 - b2 ** t);
        p[i]! -= (lr * mh) / (Math.sqrt(vh) + eps);
      }
    });
  }
}

/** Standard normal samples (Box–Muller) from a uniform random source. */
export function gaussian(rand: () => number): () => number {
  return () => Math.sqrt(-2 * Math.log(rand() + 1e-12)) * Math.cos(2 * Math.PI * rand());
}

/** Fisher–Yates in place with the given random source. */
export function shuffle(order: number[], rand: () => number): void {
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
}
