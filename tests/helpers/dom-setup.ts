import { afterAll } from 'vitest'

// Preact runs effects after paint, with a 100 ms timer when no frame comes; that timer calls
// cancelAnimationFrame. Let the last ones fire before jsdom's globals are torn down at the end of a
// file, or they throw "cancelAnimationFrame is not defined" into the next one.
afterAll(() => new Promise<void>((resolve) => setTimeout(resolve, 250)))
