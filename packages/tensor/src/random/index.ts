export { Rng, setGlobalSeed, getGlobalRng } from './rng';
