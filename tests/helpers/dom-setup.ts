import { configure } from '@testing-library/preact'
import { afterAll } from 'vitest'

// Preact runs effects after paint, with a 100 ms timer when no frame comes; that timer calls
// cancelAnimationFrame. Let the last ones fire before jsdom's globals are torn down at the end of a
// file, or they throw "cancelAnimationFrame is not defined" into the next one.
afterAll(() => new Promise<void>((resolve) => setTimeout(resolve, 250)))

// Pages load lazily (a dynamic import the test runner transforms on first use): on a loaded 2-core
// machine that alone can take over a second, so the find*/waitFor helpers wait up to 5 s. A test
// still fails when what it waits for never comes.
configure({ asyncUtilTimeout: 5000 })
