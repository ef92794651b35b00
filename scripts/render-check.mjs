// The engine of scripts/render-check: serves foliate-js, a small host page
// and the book on 127.0.0.1, opens them in headless Chromium and asserts
// what a reader would see. Usage: node render-check.mjs BOOK LAYOUT OUTDIR
import { createRequire } from 'node:module'
import fs from 'node:fs'
import path from 'node:path'
import { launchChromium, serveHost } from './check-browser.mjs'

const [bookArg, layout, outArg] = process.argv.slice(2)
const expected = {
    vertical: { writingMode: 'vertical-rl', dir: 'rtl' },
    horizontal: { writingMode: 'horizontal-tb', dir: 'ltr' },
}[layout]
if (!bookArg || !expected || !outArg) {
    console.error('usage: render-check.mjs BOOK.epub vertical|horizontal OUTDIR')
    process.exit(2)
}
const deps = path.resolve(process.env.WENJI_RENDER_DEPS)
const modules = path.join(deps, 'node_modules')
const { chromium } = createRequire(path.join(deps, 'package.json'))('playwright-core')
const book = path.resolve(bookArg)
const outDir = path.resolve(outArg)
fs.mkdirSync(outDir, { recursive: true })

// The host page: foliate's <foliate-view>, with scripts inside the book blocked.
const page = `<!doctype html><html><head><meta charset="utf-8">
<script type="importmap">{"imports":{"construct-style-sheets-polyfill":"/modules/construct-style-sheets-polyfill/dist/adoptedStyleSheets.js"}}</script>
<style>html,body{margin:0;height:100%}foliate-view{display:block;width:100vw;height:100vh}</style>
</head><body><script type="module" src="/host.js"></script></body></html>`
const host = `
import '/modules/foliate-js/view.js'
const state = window.state = { errors: [], docs: [] }
addEventListener('error', e => state.errors.push(String(e.message)))
addEventListener('unhandledrejection', e => state.errors.push(String(e.reason?.message ?? e.reason)))
const view = document.createElement('foliate-view')
document.body.append(view)
view.addEventListener('load', ({ detail: { doc } }) => {
    const style = doc.defaultView.getComputedStyle(doc.body)
    state.docs.push({
        url: doc.URL,
        writingMode: style.writingMode,
        lang: doc.documentElement.lang,
        cover: doc.documentElement.classList.contains('cover'),
        imagePage: doc.documentElement.classList.contains('image-page'),
    })
})
// Shows spine item number index and says what it is and how many pages it takes
// (foliate counts a blank page before and after a section), with the TOC
// entries a page break cuts.
window.measure = async index => {
    await view.goTo(index)
    await window.settle()
    const renderer = view.renderer
    const doc = renderer.getContents()[0]?.doc
    if (!doc) return null
    const vertical = doc.defaultView.getComputedStyle(doc.documentElement).writingMode.startsWith('vertical')
    const pageOf = rect => Math.floor((vertical ? (rect.top + rect.bottom) / 2 : (rect.left + rect.right) / 2) / renderer.size)
    const linesOf = a => {
        const range = doc.createRange()
        range.selectNodeContents(a)
        return [...range.getClientRects()]
    }
    const cut = [...doc.querySelectorAll('nav.toc-page a')]
        .filter(a => new Set(linesOf(a).map(pageOf)).size > 1)
        .map(a => a.textContent)
    return {
        index,
        url: view.book.sections[index].id,
        pages: renderer.pages - 2,
        cover: doc.documentElement.classList.contains('cover'),
        titlePage: doc.querySelector('section.titlepage') !== null,
        tocPage: doc.querySelector('nav.toc-page') !== null,
        cut,
    }
}
window.where = () => view.lastLocation?.fraction ?? null
window.next = () => view.next()
window.first = () => view.goTo(0)
window.settle = () => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(r, 300))))
try {
    await view.open('/book.epub')
    state.dir = view.book.dir ?? null
    state.title = view.book.metadata?.title
    await view.goToTextStart()
} catch (e) { state.errors.push('open: ' + (e?.message ?? e)) }
state.ready = true
`
const { origin, close: closeServer } = await serveHost({ page, host, book, modules })

const failures = []
let state = null
const [width, height] = layout === 'vertical' ? [1000, 800] : [800, 1000]
const { context, close: closeBrowser } = await launchChromium(chromium, 'render', { width, height })
try {
    const tab = context.pages()[0] ?? await context.newPage()
    tab.on('pageerror', e => failures.push(`page error: ${e.message}`))
    await context.route(url => !url.href.startsWith(origin), route => route.abort())
    await tab.goto(origin + '/')
    await tab.waitForFunction(() => window.state?.ready, null, { timeout: 60000 })
    await tab.evaluate(() => window.settle())
    // page-1: where the text starts. Then turn one page from the very first
    // page (the cover), which every book can do, and save where it lands.
    await tab.screenshot({ path: path.join(outDir, 'page-1.png') })
    await tab.evaluate(() => window.first())
    await tab.evaluate(() => window.settle())
    const before = await tab.evaluate(() => window.where())
    await tab.evaluate(() => window.next())
    await tab.evaluate(() => window.settle())
    const after = await tab.evaluate(() => window.where())
    await tab.screenshot({ path: path.join(outDir, 'page-2.png') })
    // The front matter (cover, title page, table of contents) at this size
    // and on a phone: each spine item until the first chapter, measured.
    // The phone gets a tab of its own: resizing a reader's page makes
    // Chromium report a ResizeObserver loop.
    const phone = await context.newPage()
    phone.on('pageerror', e => failures.push(`page error (phone): ${e.message}`))
    await phone.setViewportSize({ width: 390, height: 844 })
    await phone.goto(origin + '/')
    await phone.waitForFunction(() => window.state?.ready, null, { timeout: 60000 })
    const frontMatter = []
    for (const reader of [tab, phone]) {
        const { width: w, height: h } = reader.viewportSize()
        for (let index = 0; ; index++) {
            const item = await reader.evaluate(i => window.measure(i), index)
            if (!item || !(item.cover || item.titlePage || item.tocPage)) break
            item.viewport = `${w}x${h}`
            frontMatter.push(item)
            const shot = item.cover ? 'cover' : item.titlePage ? 'title' : `toc-${index}`
            await reader.screenshot({ path: path.join(outDir, `${shot}-${w}x${h}.png`) })
        }
    }
    const phoneErrors = await phone.evaluate(() => window.state.errors)
    state = await tab.evaluate(() => window.state)
    state.errors.push(...phoneErrors.map(e => `(phone) ${e}`))
    state.fractions = [before, after]
    state.frontMatter = frontMatter
} catch (e) {
    failures.push(`harness: ${e.message}`)
} finally {
    await closeBrowser()
    closeServer()
}

if (state) {
    failures.push(...state.errors.map(e => `reader error: ${e}`))
    const text = state.docs.filter(d => !d.cover && !d.imagePage && !/cover|nav/.test(d.url))
    if (text.length === 0) failures.push('no content document was loaded')
    // The cover page and pages of images alone are horizontal in every book (issue 13).
    for (const doc of state.docs.filter(d => d.cover || d.imagePage)) {
        if (doc.writingMode !== 'horizontal-tb') {
            failures.push(`${doc.url}: writing-mode ${doc.writingMode} on a page of images, expected horizontal-tb`)
        }
    }
    // The cover and the title page each fit one page; no entry of the
    // table of contents is cut by a page break.
    for (const item of state.frontMatter) {
        const what = item.cover ? 'the cover' : item.titlePage ? 'the title page' : null
        if (what && item.pages !== 1) {
            failures.push(`${item.url} (${item.viewport}): ${what} takes ${item.pages} pages, expected 1`)
        }
        for (const entry of item.cut) {
            failures.push(`${item.url} (${item.viewport}): the entry "${entry}" is cut across two pages`)
        }
    }
    for (const doc of text) {
        if (doc.writingMode !== expected.writingMode) {
            failures.push(`${doc.url}: body writing-mode is ${doc.writingMode}, expected ${expected.writingMode}`)
        }
    }
    if (state.dir !== expected.dir) failures.push(`page progression is ${state.dir}, expected ${expected.dir}`)
    const [before, after] = state.fractions
    if (!(after > before)) failures.push(`turning the page did not move forward (${before} -> ${after})`)
}
fs.writeFileSync(path.join(outDir, 'report.json'), JSON.stringify({ book, layout, state, failures }, null, 2))
const summary = state
    ? `writing-mode ${[...new Set(state.docs.map(d => d.writingMode))].join(',')}, progression ${state.dir}, ` +
      `fraction ${state.fractions.map(f => f?.toFixed(3)).join(' -> ')}, front matter pages ` +
      (state.frontMatter.map(i => `${i.url.split('/').pop()}@${i.viewport}=${i.pages}`).join(' ') || 'none')
    : 'no state'
console.log(`${failures.length ? 'FAIL' : 'ok  '} ${bookArg} (${layout}): ${summary}`)
for (const f of failures) console.log(`     ${f}`)
process.exit(failures.length ? 1 : 0)
