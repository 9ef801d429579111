// End-to-end in Firefox (Debian's firefox-esr, driven over WebDriver BiDi):
// the default c8 run and a karate club run find the native CLI's ticket,
// Cancel then Run finds it again, a bad URL parameter is named, no console
// error, and the page says it has no WebGPU and solves on the CPU.

import { engineSuite, firefox } from './engines.mjs';

engineSuite(firefox);
