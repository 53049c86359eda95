/** The run record types are defined by the report layer (which renders them); the CLI fills them in. */
export type * from '../report/types';
