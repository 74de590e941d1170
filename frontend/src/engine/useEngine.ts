import { useEffect, useState } from 'react';
import { loadEngine, serverOnlyEngine } from './index';
import type { Engine } from './types';

/** The engine once loaded; until then (and without WASM) the server-only engine that answers nothing locally. */
export function useEngine(): Engine {
  const [engine, setEngine] = useState<Engine>(serverOnlyEngine);
  useEffect(() => {
    let live = true;
    void loadEngine().then((e) => live && setEngine(e));
    return () => {
      live = false;
    };
  }, []);
  return engine;
}
