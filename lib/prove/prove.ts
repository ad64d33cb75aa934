import { defaultProveClients, hasDefaultCredentials, ProveClients } from './default-clients';
import { Measurement, ProveDrill, ProveResult, ProveRow, ProveVerdict } from './model';
import { readExperiment, readPlan, readPracticeRuns } from './readers';
import { renderDryRun, renderLedger } from './render';

/** How `prove` reads and where it writes. */
export interface ProveOptions {
  /** The drills to read, with their identifiers and computed figures (`proveDrills(app)`). */
  readonly drills: ProveDrill[];
  /** Where the report goes (a line or a block of text per call). */
  readonly out: (text: string) => void;
  /**
   * Write JSON instead of a Markdown table.
   * @default false
   */
  readonly json?: boolean;
  /**
   * A heading for the Markdown output, e.g. the example's name.
   * @default no heading
   */
  readonly title?: string;
  /**
   * Whether credentials are available; without them `prove` prints what it would read and exits 0.
   * @default the default credential chain resolves
   */
  readonly hasCredentials?: () => Promise<boolean>;
  /**
   * The clients to read with (called only when credentials are available).
   * @default the SDK clients and signed Region switch / zonal shift clients with the caller's credentials
   */
  readonly clients?: () => Promise<ProveClients>;
}

/**
 * The measured-versus-computed ledger: for each drill the app generated,
 * reads its last run (Region switch execution and its actual recovery time,
 * FIS experiment and its timeline with the stop alarms' history, zonal
 * autoshift practice-run outcome) and writes, per pattern path, the computed
 * worst case, the measured figure and a verdict. Exit code 1 when a measured
 * figure is over the computed one or a run failed, 2 when a drill could not
 * be read, else 0. Without credentials it writes what it would read and
 * returns 0.
 */
export async function prove(options: ProveOptions): Promise<ProveResult> {
  const credentials = await (options.hasCredentials ?? hasDefaultCredentials)();
  if (!credentials) {
    options.out(renderDryRun(options.drills, options.json ?? false));
    return { dryRun: true, rows: [], exitCode: 0 };
  }
  const clients = await (options.clients ?? defaultProveClients)();
  const rows: ProveRow[] = [];
  for (const drill of options.drills) rows.push(...ledgerRows(drill, await measure(clients, drill)));
  const exitCode = rows.some(r => r.verdict === ProveVerdict.OVER || r.verdict === ProveVerdict.FAILED) ? 1 : rows.some(r => r.readError) ? 2 : 0;
  options.out(renderLedger(rows, exitCode, options.json ?? false, options.title));
  return { dryRun: false, rows, exitCode };
}

/** The figure a drill's run is judged against: the largest computed figure of its paths. */
export function boundOf(drill: ProveDrill): number | undefined {
  const figures = drill.paths.map(p => p.computedSeconds).filter((s): s is number => s !== undefined);
  return figures.length > 0 ? Math.max(...figures) : drill.description.expectedRecoverySeconds;
}

async function measure(clients: ProveClients, drill: ProveDrill): Promise<Measurement> {
  try {
    if (drill.plan) return await readPlan(clients, drill.plan);
    if (drill.experiment) return await readExperiment(clients, drill.experiment, boundOf(drill));
    if (drill.practiceRuns) return await readPracticeRuns(clients, drill.practiceRuns);
    return { verdict: ProveVerdict.NEVER_RUN, detail: 'no identifier to query (a plan name or a region that is a token: give the stack an explicit environment)', timeline: [] };
  } catch (e) {
    const message = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    return { verdict: ProveVerdict.NEVER_RUN, detail: `could not read: ${message}`, timeline: [], readError: message };
  }
}

/** One row per path the drill exercises; a measured figure above the drill's bound turns WITHIN into OVER. */
export function ledgerRows(drill: ProveDrill, m: Measurement): ProveRow[] {
  const d = drill.description;
  const bound = boundOf(drill);
  const over = m.verdict === ProveVerdict.WITHIN && m.measuredSeconds !== undefined && bound !== undefined && m.measuredSeconds > bound;
  const verdict = over ? ProveVerdict.OVER : m.verdict;
  const paths = drill.paths.length > 0 ? drill.paths : [{ id: '-', computedSeconds: d.expectedRecoverySeconds }];
  return paths.map(p => ({
    patternPath: d.patternPath ?? '-',
    patternName: d.patternName ?? '-',
    path: p.id,
    kind: d.kind,
    drill: d.constructPath,
    region: d.region,
    computedSeconds: p.computedSeconds,
    boundSeconds: bound,
    measuredSeconds: m.measuredSeconds,
    verdict,
    detail: p.computedSeconds !== bound && bound !== undefined && m.measuredSeconds !== undefined
      ? `${m.detail} (judged against the drill's worst case, ${bound} s, of paths ${paths.map(x => x.id).join(', ')})`
      : m.detail,
    runId: m.runId,
    timeline: m.timeline,
    readError: m.readError,
  }));
}
