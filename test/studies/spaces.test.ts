/**
 * The studies' spaces are typed from their literal definitions, so an
 * optimizer over them types its params (`learning_rate: number`), as the
 * README promises for any `space`; and they are valid spaces.
 */
import { describe, expect, expectTypeOf, it } from 'vitest';
import { BayesianOptimization } from '../../src/optimizer';
import { Space } from '../../src/space/space';
import { DIGITS_SPACE, digitsStudy } from '../../src/studies/digits';
import { TAXI_SPACE, taxiStudy } from '../../src/studies/taxi';

describe('study spaces', () => {
  it('type the params of an optimizer over them', async () => {
    const opt = new BayesianOptimization({ space: TAXI_SPACE, engine: 'cpu', randomState: 1, verbose: 0 });
    const p = await opt.suggest();
    expectTypeOf(p).toEqualTypeOf<{ learning_rate: number; l2: number }>();
    expect(Object.keys(p).sort()).toEqual(['l2', 'learning_rate']);
    opt.dispose();
    expectTypeOf<Parameters<BayesianOptimization<typeof DIGITS_SPACE>['register']>[0]>()
      .toEqualTypeOf<{ dropout: number; dense_units_x128: number; learning_rate: number }>();
    expect(new Space(DIGITS_SPACE).names).toEqual(['dropout', 'dense_units_x128', 'learning_rate']);
  });

  it('the study descriptors carry them typed: an optimizer over taxiStudy.space types its params too', async () => {
    // `space: SpaceSpec` in the descriptor typed them as plain Params: a misspelled key compiled
    const opt = new BayesianOptimization({ space: taxiStudy.space, engine: 'cpu', randomState: 1, verbose: 0 });
    const p = await opt.suggest();
    expectTypeOf(p).toEqualTypeOf<{ learning_rate: number; l2: number }>();
    // @ts-expect-error a misspelled parameter
    void p.learningrate;
    expectTypeOf(digitsStudy.space).toEqualTypeOf<typeof DIGITS_SPACE>();
    expect(taxiStudy.space).toBe(TAXI_SPACE);
    opt.dispose();
  });
});
