// End-to-end in WebKitGTK (Safari's engine: Debian's webkit2gtk-driver,
// MiniBrowser under Xvfb, driven over classic WebDriver): the default c8 run
// and a karate club run find the native CLI's ticket, Cancel then Run finds
// it again, a bad URL parameter is named, no console error, and the page says
// it has no WebGPU and solves on the CPU.

import { engineSuite, webkit } from './engines.mjs';

engineSuite(webkit);
