// The engine of scripts/epubjs-check: serves epub.js (with JSZip, which its
// browser build expects as a global), a small host page and the book on
// 127.0.0.1, opens them in headless Chromium as a paginated rendition and
// asserts what a reader would see. Usage: node epubjs-check.mjs BOOK LAYOUT OUTDIR
import { createRequire } from 'node:module'
import fs from 'node:fs'
import path from 'node:path'
import { launchChromium, serveHost } from './check-browser.mjs'

const [bookArg, layout, outArg] = process.argv.slice(2)
const expected = {
    vertical: { writingMode: 'vertical-rl', directions: ['rtl'] },
    // A horizontal book may leave page-progression-direction out (epub.js then reads null).
    horizontal: { writingMode: 'horizontal-tb', directions: ['ltr', null, ''] },
}[layout]
if (!bookArg || !expected || !outArg) {
    console.error('usage: epubjs-check.mjs BOOK.epub vertical|horizontal OUTDIR')
    process.exit(2)
}
const deps = path.resolve(process.env.WENJI_EPUBJS_DEPS)
const modules = path.join(deps, 'node_modules')
const { chromium } = createRequire(path.join(deps, 'package.json'))('playwright-core')
const book = path.resolve(bookArg)
const outDir = path.resolve(outArg)
fs.mkdirSync(outDir, { recursive: true })
// One page, no spread, about 600 px wide: the screenshots go into the docs as they are.
const [width, height] = [600, 800]
// How many times the check turns the page from the cover, at most: it stops
// at the end of the book. Each spine page is at least one page, so a book
// must turn at least (spine pages - 1) times, up to this number.
const turns = 5

// The host page. epub.js runs the book in iframes sandboxed without scripts
// (its default, allowScriptedContent false), so scripts inside the book never run.
const page = `<!doctype html><html><head><meta charset="utf-8">
<style>html,body{margin:0;height:100%;background:#fff}#viewer{width:${width}px;height:${height}px}</style>
<script src="/modules/jszip/dist/jszip.min.js"></script>
<script src="/modules/epubjs/dist/epub.min.js"></script>
</head><body><div id="viewer"></div><script type="module" src="/host.js"></script></body></html>`
const host = `
const state = window.state = { errors: [], docs: [], locations: [] }
addEventListener('error', e => state.errors.push(String(e.message)))
addEventListener('unhandledrejection', e => state.errors.push(String(e.reason?.message ?? e.reason)))
window.settle = () => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(r, 300))))
const where = () => {
    const location = rendition.currentLocation()
    const at = location?.start
    return at ? { cfi: at.cfi, href: at.href, page: at.displayed?.page, total: at.displayed?.total, end: location.atEnd ?? false } : null
}
const book = ePub('/book.epub', { openAs: 'epub' })
// epub.js reports a book it cannot open (not a zip, no package) only with this event.
book.on('openFailed', e => state.errors.push('open: ' + (e?.message ?? e)))
const rendition = book.renderTo('viewer', { width: ${width}, height: ${height}, flow: 'paginated', spread: 'none' })
// Every document the rendition shows: its spine entry, whether it is the
// cover, and the computed writing mode of its body.
rendition.on('rendered', (section, view) => {
    const doc = view.document
    state.docs.push({
        href: section.href,
        index: section.index,
        cover: doc.documentElement.classList.contains('cover') ||
            doc.body.getAttributeNS('http://www.idpf.org/2007/ops', 'type')?.split(' ').includes('cover'),
        nav: section.properties?.includes('nav') ?? false,
        writingMode: doc.defaultView.getComputedStyle(doc.body).writingMode,
        lang: doc.documentElement.lang,
    })
})
window.where = where
window.next = async () => { await rendition.next(); await window.settle(); return where() }
window.show = async target => { await rendition.display(target); await window.settle(); return where() }
// The first linear spine entry that is neither the cover, the title page
// nor a table of contents: where the text starts.
window.firstText = () => {
    const items = book.spine.spineItems.filter(s => s.linear !== 'no' && !(s.properties ?? []).includes('nav'))
    return items.find(s => !/cover|title|toc|nav/i.test(s.href))?.href ?? null
}
// Counts the pixels of a PNG (base64) that differ from its most common colour.
window.inked = async base64 => {
    const bytes = Uint8Array.from(atob(base64), c => c.charCodeAt(0))
    const bitmap = await createImageBitmap(new Blob([bytes], { type: 'image/png' }))
    const canvas = new OffscreenCanvas(bitmap.width, bitmap.height)
    const context = canvas.getContext('2d')
    context.drawImage(bitmap, 0, 0)
    const data = new Uint32Array(context.getImageData(0, 0, bitmap.width, bitmap.height).data.buffer)
    const counts = new Map()
    for (const pixel of data) counts.set(pixel, (counts.get(pixel) ?? 0) + 1)
    const background = Math.max(...counts.values())
    return { pixels: data.length, inked: data.length - background, colours: counts.size }
}
try {
    await book.opened
    state.title = book.package.metadata.title
    state.direction = book.package.metadata.direction
    state.spinePages = book.spine.spineItems.length
    state.cover = await window.show()
    // The direction the rendition lays its pages out in: epub.js sets it on
    // the container that holds the pages (and turns pages leftward in rtl).
    state.renditionDirection = getComputedStyle(rendition.manager.container).direction
} catch (e) { state.errors.push('open: ' + (e?.message ?? e)) }
state.ready = true
`
const { origin, close: closeServer } = await serveHost({ page, host, book, modules })

const failures = []
const consoleErrors = []
let state = null
const { context, close: closeBrowser } = await launchChromium(chromium, 'epubjs', { width, height })
try {
    const tab = context.pages()[0] ?? await context.newPage()
    tab.on('pageerror', e => failures.push(`page error: ${e.message}`))
    // epub.js reports some failures (a document it cannot load) only on the console.
    tab.on('console', m => { if (m.type() === 'error') consoleErrors.push(m.text()) })
    await context.route(url => !url.href.startsWith(origin), route => route.abort())
    await tab.goto(origin + '/')
    // A book epub.js cannot unzip never finishes opening; its error ends the wait.
    await tab.waitForFunction(() => window.state?.ready || window.state?.errors.length, null, { timeout: 60000 })
    if (!(await tab.evaluate(() => window.state.ready))) {
        failures.push(...(await tab.evaluate(() => window.state.errors)).map(e => `reader error: ${e}`))
        throw new Error('the book did not open')
    }
    const shoot = async name => {
        const png = await tab.screenshot({ path: path.join(outDir, name) })
        return tab.evaluate(base64 => window.inked(base64), png.toString('base64'))
    }
    // The cover is the first page the rendition shows.
    const cover = await shoot('cover.png')
    const locations = [await tab.evaluate(() => window.where())]
    while (locations.length <= turns && !locations.at(-1)?.end) locations.push(await tab.evaluate(() => window.next()))
    const firstText = await tab.evaluate(() => window.firstText())
    const textAt = firstText ? await tab.evaluate(href => window.show(href), firstText) : null
    const text = firstText ? await shoot('text.png') : null
    state = await tab.evaluate(() => window.state)
    Object.assign(state, { coverInk: cover, locations, firstText, textAt, textInk: text })
} catch (e) {
    failures.push(`harness: ${e.message}`)
    state = null
} finally {
    await closeBrowser()
    closeServer()
}

// A page counts as drawn when at least this share of its pixels differ from
// its background: a line of text in a 600x800 page inks well over 0.2%.
const minInk = 0.002
const drawn = ink => ink && ink.inked / ink.pixels >= minInk
const share = ink => (ink ? `${((100 * ink.inked) / ink.pixels).toFixed(1)}%` : 'none')
if (state) {
    failures.push(...state.errors.map(e => `reader error: ${e}`))
    failures.push(...consoleErrors.map(e => `console error: ${e}`))
    if (!expected.directions.includes(state.direction ?? null)) {
        failures.push(`page progression is ${state.direction}, expected ${expected.directions[0]}`)
    }
    const followed = state.direction || 'ltr'
    if (state.renditionDirection !== followed) {
        failures.push(`the rendition's direction is ${state.renditionDirection}, the package's is ${followed}`)
    }
    if (!drawn(state.coverInk)) failures.push(`the cover page is blank (${share(state.coverInk)} of its pixels inked)`)
    // Every turn must land somewhere new.
    const seen = new Set()
    for (const [turn, at] of state.locations.entries()) {
        if (!at?.cfi) failures.push(`after ${turn} page turns there is no location`)
        else if (seen.has(at.cfi)) failures.push(`page turn ${turn} did not move (still at ${at.cfi})`)
        else seen.add(at.cfi)
    }
    const needed = Math.min(turns, state.spinePages - 1)
    if (state.locations.length - 1 < needed) {
        failures.push(`the book ended after ${state.locations.length - 1} page turns; its ${state.spinePages} spine pages need ${needed}`)
    }
    if (!state.firstText) failures.push('the spine has no text document (only cover, title or contents pages)')
    else if (!drawn(state.textInk)) failures.push(`the first text page is blank (${share(state.textInk)} of its pixels inked)`)
    // Each document once, though it is rendered again when shown again.
    const docs = [...new Map(state.docs.map(d => [d.href, d])).values()]
    const textDocs = docs.filter(d => !d.cover && !d.nav && !/cover|nav/.test(d.href))
    if (state.firstText && !textDocs.some(d => d.href === state.firstText)) {
        failures.push(`the first text document ${state.firstText} was never rendered`)
    }
    for (const doc of textDocs) {
        if (doc.writingMode !== expected.writingMode) {
            failures.push(`${doc.href}: body writing-mode is ${doc.writingMode}, expected ${expected.writingMode}`)
        }
    }
    // The cover page is horizontal in every book (issue 13).
    for (const doc of docs.filter(d => d.cover)) {
        if (doc.writingMode !== 'horizontal-tb') {
            failures.push(`${doc.href}: the cover's writing-mode is ${doc.writingMode}, expected horizontal-tb`)
        }
    }
}
fs.writeFileSync(path.join(outDir, 'report.json'), JSON.stringify({ book, layout, state, consoleErrors, failures }, null, 2))
const summary = state
    ? `progression ${state.direction} (rendition ${state.renditionDirection}), ` +
      `writing-mode ${[...new Set(state.docs.filter(d => !d.cover).map(d => d.writingMode))].join(',')}, ` +
      `${new Set(state.locations.map(l => l?.cfi)).size} places in ${state.locations.length - 1} turns, ` +
      `ink cover ${share(state.coverInk)} text ${share(state.textInk)}`
    : 'no state'
console.log(`${failures.length ? 'FAIL' : 'ok  '} ${bookArg} (${layout}, epub.js): ${summary}`)
for (const f of failures) console.log(`     ${f}`)
process.exit(failures.length ? 1 : 0)
