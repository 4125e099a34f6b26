// Opens a --trace-json file in Chromium's own trace viewer (the DevTools
// Performance panel that Chromium ships as devtools://devtools/bundled/
// trace_app.html) and saves a screenshot: one track per thread, each slice
// labelled with the user's call. Only drives the viewer: it loads the file
// through the panel's "Load trace" input, as a person would.
// Usage: node trace-json-shot.cjs TRACE.json OUT.png   (see trace-json-shot.sh)
const puppeteer = require('puppeteer-core');

const [trace, out] = process.argv.slice(2);
const chromium = process.env.CHROMIUM || '/usr/bin/chromium';
const sleep = ms => new Promise(r => setTimeout(r, ms));

(async () => {
  const browser = await puppeteer.launch({
    executablePath: chromium, headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--allow-chrome-scheme-url']});
  try {
    const page = await browser.newPage();
    await page.setViewport({width: 1100, height: 560});
    await page.goto('devtools://devtools/bundled/trace_app.html?panel=timeline', {waitUntil: 'load'});
    const input = await page.waitForSelector('pierce/input[type="file"]', {timeout: 30000});
    await input.uploadFile(trace);
    await page.waitForSelector('pierce/devtools-button[aria-label="Hide sidebar"]', {timeout: 30000});
    await sleep(1500);
    // The page has no tab to debug, so DevTools says its connection closed;
    // dismiss that, and the sidebar, to leave the tracks.
    await page.keyboard.press('Escape');
    await (await page.$('pierce/devtools-button[aria-label="Hide sidebar"]')).evaluate(b => b.click());
    await sleep(500);
    // With the flame chart's keys: expand the process and both threads, then
    // select Jerry's blocked lock_A.lock(), whose arguments (the user's
    // file:line) show in the Summary below the tracks.
    const canvas = await page.waitForSelector('pierce/canvas[aria-label="Flame chart"]');
    await canvas.evaluate(c => c.focus());
    for (const key of ['ArrowDown', 'ArrowRight', 'ArrowDown', 'ArrowRight', 'ArrowUp', 'ArrowRight',
                       'ArrowDown', 'Enter', 'ArrowRight']) {
      await page.keyboard.press(key);
      await sleep(200);
    }
    await sleep(1000);
    await page.screenshot({path: out});
  } finally {
    await browser.close();
  }
})();
