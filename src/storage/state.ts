/**
 * Folds a journal in Optuna's format (./types) into the trials of one study,
 * replaying Optuna's rules: implicit study and trial ids, a duplicate study
 * name creates nothing, a finished trial is never updated. A trial whose
 * params do not fit the study's space (./line-checks) is skipped and reported
 * with its line, keeping its number: checked when it is created with params,
 * on each SET_TRIAL_PARAM, and in full when it finishes. The trials it
 * fills in, and the reads of them, are ./folded-trials'.
 */
import type { SpaceSpec } from '../space/types';
import type { RngState } from '../util/rng';
import type { Parsed } from './line-folder';
import { FoldedTrials } from './folded-trials';
import { directionOf, parseIsoTime, parseOp, type Distribution } from './optuna-format';
import { ParamDecoder } from './param-decoder';
import { PointCheck, storedSpaceCheck } from './line-checks';
import { WidestSpace } from './widest-space';
import { isNum, isObject } from './params-check';
import { show } from '../util/format-value';
import { isFinished, setState, systemAttr } from './trial-fold';
import { enqueuedEntry, skipEntry, updateEntry, type TrialFoldHost } from './trial-updates';
import { OP, TRIAL_STATE, type JournalOp, type JournalTrial, type ModelState, type StudyHeader } from './types';
import { setOwn } from '../util/own-key';

export { copyTrial, paramsKey, TRUNCATED_REASON } from './line-folder';

/** The study system attr a closing worker writes (`wbo:closed:<worker id>`): its pending trials are abandoned. */
export const CLOSED_PREFIX = 'wbo:closed:';

export class JournalReducer extends FoldedTrials implements TrialFoldHost {
  /** study name -> study id, for studies not deleted */
  private readonly studyIds = new Map<string, number>();
  private readonly liveStudies = new Set<number>();
  private nextStudyId = 0;
  private trialCount = 0;
  /** our study's params, decoded through their distributions */
  readonly params = new ParamDecoder();
  studyId: number | null = null;
  header: StudyHeader | null = null;
  rngState: RngState | null = null;
  modelState: ModelState | null = null;
  designRngState: RngState | null = null;
  /** checks trial params: against the study's `wbo:space` (see storedSpaceCheck), else the space given to the constructor */
  check: PointCheck | null;
  /** the widest space the study has stored, for a reader of no space of its own (kept by refoldFromStart) */
  private widest = new WidestSpace();
  /** the first distribution seen per parameter of our study */
  get distributions(): Map<string, Distribution> {
    return this.params.distributions;
  }

  /** per parameter, each distribution of our study's trials the compatibility rule tells apart (see ParamDecoder.variants) */
  get distributionVariants(): ReadonlyMap<string, readonly Distribution[]> {
    return this.params.variants;
  }

  /** study names in the file, in creation order (deleted ones left out) */
  get studyNames(): string[] {
    return [...this.studyIds.keys()];
  }

  /**
   * @param studyName the study whose trials are folded ['default']
   * @param space checks trial params when the study stores no space (`wbo:space`)
   */
  constructor(readonly studyName = 'default', private readonly space?: SpaceSpec) {
    super();
    this.check = space ? new PointCheck(space) : null;
  }

  protected parse(line: string): Parsed<JournalOp> {
    return parseOp(line);
  }

  protected clear(): void {
    this.studyIds.clear();
    this.liveStudies.clear();
    this.nextStudyId = 0;
    this.trialCount = 0;
    this.widest = new WidestSpace(); // another text: what the last one stored does not hold
    this.forgetTrials();
    this.params.clear();
    this.studyId = null;
    this.header = null;
    this.rngState = null;
    this.modelState = null;
    this.designRngState = null;
    this.closedWorkers.clear();
    this.check = this.space ? new PointCheck(this.space) : null;
  }

  protected apply(o: JournalOp, line: number): string | null {
    switch (o.op_code) {
      case OP.CREATE_STUDY:
        return this.createStudy(o);
      case OP.DELETE_STUDY:
        return this.deleteStudy(o);
      case OP.SET_STUDY_USER_ATTR:
      case OP.SET_STUDY_SYSTEM_ATTR:
        return this.studyAttr(o);
      case OP.CREATE_TRIAL: {
        const n = this.entries.length;
        const problem = this.createTrial(o, line);
        if (this.entries.length > n) this.reads.created(n, this.entries[n]);
        return problem;
      }
      default:
        return this.updateTrial(o, line);
    }
  }

  private createStudy(o: JournalOp): string | null {
    if (typeof o.study_name !== 'string') return 'create study: "study_name" must be a string';
    if (!Array.isArray(o.directions) || o.directions.length === 0) return 'create study: "directions" must be a non-empty array';
    if (this.studyIds.has(o.study_name)) return null; // Optuna: a taken name creates nothing
    const id = this.nextStudyId++;
    this.studyIds.set(o.study_name, id);
    this.liveStudies.add(id);
    if (o.study_name === this.studyName) {
      this.studyId = id;
      this.header = { name: o.study_name };
      if (o.directions.length > 1) this.header.meta = { directions: o.directions };
      const dir = directionOf(o.directions[0]);
      if (dir) this.header.direction = dir;
      // the study stands either way (later lines number studies by their creation); its direction is unknown
      else if (o.directions[0] !== 0) return `create study: direction ${show(o.directions[0])} is none of Optuna's (0 not set, 1 minimize, 2 maximize)`;
      this.forgetTrials();
      this.forgetStreams();
      this.params.clear();
      this.closedWorkers.clear();
      this.check = this.space ? new PointCheck(this.space) : null;
    }
    return null;
  }

  /** A study created again (or deleted) under our name starts from no stream: a deleted study's design and random state are not the new one's. */
  private forgetStreams(): void {
    this.rngState = null;
    this.modelState = null;
    this.designRngState = null;
  }

  private deleteStudy(o: JournalOp): string | null {
    if (!Number.isInteger(o.study_id)) return 'delete study: "study_id" must be an integer';
    const id = o.study_id as number;
    if (!this.liveStudies.delete(id)) return null;
    for (const [name, sid] of this.studyIds) if (sid === id) this.studyIds.delete(name);
    if (id === this.studyId) {
      this.studyId = null;
      this.header = null;
      this.forgetTrials();
      this.forgetStreams();
    }
    return null;
  }

  private studyAttr(o: JournalOp): string | null {
    const key = o.op_code === OP.SET_STUDY_USER_ATTR ? 'user_attr' : 'system_attr';
    const attr = o[key];
    if (!Number.isInteger(o.study_id) || !isObject(attr)) return `study attr: needs "study_id" and "${key}"`;
    if (o.study_id !== this.studyId || !this.header) return null;
    for (const [k, v] of Object.entries(attr)) {
      if (key === 'user_attr') setOwn(this.header.userAttrs ??= {}, k, v);
      else if (k === 'wbo:space') {
        const stored = storedSpaceCheck(v, this.space);
        if (typeof stored === 'string') return `study attr "wbo:space": ${stored}`;
        this.header.space = v as SpaceSpec;
        // a reader of no space of its own checks by the widest the study stored
        const widest = this.space ? null : this.widest.folded(v as SpaceSpec, () => this.skippedTrials().skipped + this.waitingOutside().length);
        this.check = widest === null || widest === v ? stored : new PointCheck(widest);
      }
      else if (k === 'wbo:created' && isNum(v)) this.header.created = v;
      else if (k === 'wbo:meta' && isObject(v)) this.header.meta = { ...this.header.meta, ...v };
      else if (k.startsWith(CLOSED_PREFIX)) this.closedWorkers.set(k.slice(CLOSED_PREFIX.length), this.nextId);
    }
    return null;
  }

  private createTrial(o: JournalOp, line: number): string | null {
    if (!Number.isInteger(o.study_id)) return 'create trial: "study_id" must be an integer';
    if (!this.liveStudies.has(o.study_id as number)) return null;
    const tid = this.trialCount++;
    if (o.study_id !== this.studyId) return null;
    const number = this.entries.length;
    const state = o.state === undefined ? TRIAL_STATE.RUNNING : (o.state as number);
    const started = o.datetime_start === null || o.datetime_start === undefined ? null : parseIsoTime(o.datetime_start);
    const trial: JournalTrial = { id: number, params: {}, target: null, status: 'pending', source: 'register' };
    if (started !== null) trial.startedAt = started;
    this.entries.push({ trial, tid, state: TRIAL_STATE.RUNNING, line, ...(typeof o.worker_id === 'string' ? { creator: o.worker_id } : {}) });
    this.numberOf.set(tid, number);
    const problems: string[] = [];
    const dists = isObject(o.distributions) ? o.distributions : {};
    if (isObject(o.params)) {
      for (const [k, x] of Object.entries(o.params)) {
        const p = this.params.set(trial, k, x, dists[k]);
        if (p) problems.push(p);
      }
    }
    if (isObject(o.system_attrs)) {
      for (const [k, v] of Object.entries(o.system_attrs)) systemAttr(trial, k, v, this);
      if (typeof o.system_attrs['wbo:ask'] === 'string') this.asks.set(o.system_attrs['wbo:ask'], number);
    }
    if (isObject(o.user_attrs) && Object.keys(o.user_attrs).length) trial.userAttrs = { ...o.user_attrs };
    if (isObject(o.intermediate_values)) {
      // NaN and ±inf kept, as a report of them is (trial-updates: the pruners read them as Optuna's do)
      // a key that is no finite step ("abc", "1e400") is left out: it made a pruned trial's step NaN or Infinity
      for (const [k, v] of Object.entries(o.intermediate_values)) {
        if (typeof v === 'number' && Number.isFinite(Number(k))) (trial.intermediate ??= {})[Number(k)] = v;
      }
    }
    if (state === TRIAL_STATE.WAITING) return enqueuedEntry(this.entries[number], o, line, problems, this.check);
    const hasParams = isObject(o.params) && Object.keys(o.params).length > 0;
    const outside = hasParams || isFinished(state) ? this.check?.problem(trial.params) : null;
    if (outside) return skipEntry(this.entries[number], line, `create trial ${number}: ${outside}`);
    if (state !== TRIAL_STATE.RUNNING) {
      const values = o.values ?? (o.value === undefined || o.value === null ? null : [o.value]);
      const p = setState(this.entries[number], state, values, o.datetime_complete, line);
      if (p) problems.push(p);
    }
    return problems.length ? `create trial ${number}: ${problems.join('; ')}` : null;
  }

  /** Optuna's rule: updates of unknown or finished trials are not applied. */
  private updateTrial(o: JournalOp, line: number): string | null {
    if (!Number.isInteger(o.trial_id)) return `op ${o.op_code}: "trial_id" must be an integer`;
    const number = this.numberOf.get(o.trial_id as number);
    if (number === undefined) return o.trial_id as number < this.trialCount ? null : `op ${o.op_code}: unknown trial_id ${o.trial_id}`;
    const e = this.entries[number];
    if (e.skippedAt !== undefined) {
      // left out, but its Optuna state followed: an enqueued one stays waiting until Optuna's worker takes it (see skippedTrials)
      if (o.op_code === OP.SET_TRIAL_STATE_VALUES && Number.isInteger(o.state) && !isFinished(e.state)) e.state = o.state as number;
      return `op ${o.op_code}: trial ${number} was skipped (its params, line ${e.skippedAt}, do not fit the space)`;
    }
    const { skippedAt, trial: { status } } = e;
    if (status !== 'pending' && status !== 'waiting') return `op ${o.op_code}: trial ${number} already finished (line ${e.doneLine})`;
    const problem = updateEntry(e, o, line, this);
    this.reads.updated(number, e, skippedAt, status);
    return problem;
  }

  /** Whether the text should be folded again from the start, by a space wider than any before (see WidestSpace). */
  refoldWanted(): boolean {
    return this.widest.refoldWanted();
  }

  /** Forgets what was folded, keeping the widest space learned, to fold the same text again (see refoldWanted). */
  refoldFromStart(): void {
    const widest = this.widest;
    this.restart();
    this.widest = widest;
  }

  /** The id the next study created gets. */
  get nextStudy(): number {
    return this.nextStudyId;
  }
}
