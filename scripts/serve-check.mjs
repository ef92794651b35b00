// The engine of scripts/serve-check: opens the reader page of `wenji serve`
// in headless Chromium and asserts what a writer sees.
// Usage: node serve-check.mjs URL|BOOKDIR LAYOUT OUTDIR
import { createRequire } from 'node:module'
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { launchChromium } from './check-browser.mjs'

const [target, layout, outArg] = process.argv.slice(2)
const modes = { vertical: { writingMode: 'vertical-rl', dir: 'rtl' }, horizontal: { writingMode: 'horizontal-tb', dir: 'ltr' } }
const expected = modes[layout]
if (!target || !expected || !outArg) {
    console.error('usage: serve-check.mjs URL|BOOKDIR vertical|horizontal OUTDIR')
    process.exit(2)
}
const otherLayout = layout === 'vertical' ? 'horizontal' : 'vertical'
const deps = path.resolve(process.env.WENJI_RENDER_DEPS)
const { chromium } = createRequire(path.join(deps, 'package.json'))('playwright-core')
const outDir = path.resolve(outArg)
fs.mkdirSync(outDir, { recursive: true })
const started = Date.now()
const failures = []
const fail = message => failures.push(message)
const steps = []

// Starts `wenji serve --port 0` on the book folder and reads its URL from the
// line `serving … at http://127.0.0.1:PORT/ (Ctrl-C to stop)`.
const startServer = bookDir => new Promise((resolve, reject) => {
    const child = spawn(process.env.WENJI, ['serve', '--port', '0', '--layout', layout, bookDir],
        { stdio: ['ignore', 'inherit', 'pipe'] })
    let stderr = ''
    const timer = setTimeout(() => reject(new Error(`wenji serve printed no URL in 30 s:\n${stderr}`)), 30000)
    child.stderr.on('data', chunk => {
        stderr += chunk
        process.stderr.write(chunk)
        const found = stderr.match(/ at (http:\/\/\S+?)\/? \(Ctrl-C to stop\)/)
        if (found) {
            clearTimeout(timer)
            resolve({ child, origin: found[1] })
        }
    })
    child.on('exit', code => reject(new Error(`wenji serve exited (${code}) before serving:\n${stderr}`)))
})

// Stops the server as Ctrl-C does; it must be gone within 5 s.
const stopServer = child => new Promise(resolve => {
    if (child.exitCode !== null) return resolve(fail(`wenji serve died during the check (exit ${child.exitCode})`))
    const timer = setTimeout(() => {
        fail('wenji serve did not stop within 5 s of Ctrl-C (SIGINT)')
        child.kill('SIGKILL')
        resolve()
    }, 5000)
    child.on('exit', () => { clearTimeout(timer); resolve() })
    child.kill('SIGINT')
})

// What the page shows: read through <foliate-view>'s public properties and
// the data-* attributes the page sets on #reader.
const shown = () => {
    const reader = document.getElementById('reader')
    const view = document.querySelector('#book foliate-view:not(.loading)')
    const content = view?.renderer?.getContents?.()[0]
    const banner = document.getElementById('error')
    const state = {
        busy: reader.getAttribute('aria-busy'),
        generation: Number(reader.dataset.generation ?? 0),
        layout: reader.dataset.layout ?? null,
        edition: reader.dataset.edition ?? null,
        error: banner.hidden ? null : banner.textContent,
        title: document.getElementById('title').textContent,
        chapters: [...document.getElementById('chapters').options].map(o => o.value),
    }
    if (!content?.doc) return state
    const { doc, index } = content
    const { book } = view
    const landmark = book.landmarks?.find(m => m.type.includes('bodymatter') || m.type.includes('text'))
    const buttonX = label => document.querySelector(`.turn[aria-label="${label}"]`)?.getBoundingClientRect().x
    return {
        ...state,
        index,
        textStart: landmark ? view.resolveNavigation(landmark.href)?.index : book.sections.findIndex(s => s.linear !== 'no'),
        page: view.renderer.page,
        fraction: view.lastLocation?.fraction ?? null,
        dir: book.dir ?? null,
        writingMode: doc.defaultView.getComputedStyle(doc.body).writingMode,
        cover: doc.documentElement.classList.contains('cover') || doc.documentElement.classList.contains('image-page'),
        tocLength: (function count(items) { return items.reduce((n, i) => n + 1 + count(i.subitems ?? []), 0) })(book.toc ?? []),
        nextOnLeft: buttonX('Next page') < buttonX('Previous page'),
        text: doc.body.textContent.replace(/\s+/g, ' ').trim(),
    }
}

let server = null
let origin
let essay = null
let reportState = {}
try {
    if (/^https?:\/\//.test(target)) origin = target.replace(/\/+$/, '')
    else ({ child: server, origin } = await startServer(path.resolve(target)))
    const { context, close: closeBrowser } = await launchChromium(chromium, 'serve', { width: 1200, height: 800 })
    try {
        const tab = context.pages()[0] ?? await context.newPage()
        tab.on('pageerror', e => fail(`page error: ${e.message}`))
        tab.on('console', m => { if (m.type() === 'error') fail(`console error: ${m.text()}`) })
        // The page must need nothing but the server: no CDN, no network.
        await context.route(url => !url.href.startsWith(origin + '/'), route => {
            fail(`the page asked for ${route.request().url()}, outside the server`)
            return route.abort()
        })
        const state = () => tab.evaluate(shown)
        const settle = () => tab.evaluate(() => new Promise(r =>
            requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(r, 300)))))
        // Waits until the page shows a loaded book matching `want`.
        const until = async (what, want, timeout = 30000) => {
            try {
                await tab.waitForFunction(want => {
                    const reader = document.getElementById('reader')
                    if (reader.getAttribute('aria-busy') !== 'false' || !reader.dataset.generation) return false
                    return Object.entries(want).every(([k, v]) =>
                        k === 'generation' ? Number(reader.dataset.generation) >= v : reader.dataset[k] === v)
                }, want, { timeout })
            } catch {
                const { text, ...seen } = await state()
                throw new Error(`${what}: the page did not show it within ${timeout / 1000} s (${JSON.stringify(seen)})`)
            }
            await settle()
            return state()
        }
        const step = (name, s) => steps.push({ step: name, ...s, text: undefined, chapters: s.chapters?.length })

        await tab.goto(origin + '/')
        const first = await until('the book', {})
        step('opened', first)
        if (first.layout !== layout) fail(`the page opened the ${first.layout} layout, expected ${layout}`)
        await tab.screenshot({ path: path.join(outDir, 'serve.png') })
        if (first.cover) fail('the page opened on the cover, not the first text page')
        if (first.index !== first.textStart) fail(`the page shows section ${first.index}, not the text start (section ${first.textStart})`)
        if (first.page !== 1) fail(`the page shows page ${first.page} of its section, not the first (1)`)
        if (!first.text) fail('the first text page shows no text')
        if (first.writingMode !== expected.writingMode) fail(`writing-mode is ${first.writingMode}, expected ${expected.writingMode}`)
        if (first.dir !== expected.dir) fail(`page progression is ${first.dir}, expected ${expected.dir}`)
        if (first.nextOnLeft !== (expected.dir === 'rtl')) fail(`the "Next page" button is on the ${first.nextOnLeft ? 'left' : 'right'} in a ${expected.dir} book`)
        if (!first.title || first.title === 'wenji') fail('the book title is not shown')
        if (first.error) fail(`an error banner is shown: ${first.error}`)
        if (first.tocLength < 1 || first.chapters.length !== first.tocLength) {
            fail(`the chapter list has ${first.chapters.length} entries for ${first.tocLength} in the book's TOC`)
        }

        // Turning pages: the arrow key that reads forward, the Next page
        // button, then the other arrow back.
        const [forwardKey, backKey] = expected.dir === 'rtl' ? ['ArrowLeft', 'ArrowRight'] : ['ArrowRight', 'ArrowLeft']
        await tab.keyboard.press(forwardKey)
        await settle()
        const keyed = await state()
        step(`${forwardKey} (next)`, keyed)
        if (!(keyed.fraction > first.fraction)) fail(`${forwardKey} did not turn to the next page (${first.fraction} -> ${keyed.fraction})`)
        await tab.getByRole('button', { name: 'Next page' }).click()
        await settle()
        const clicked = await state()
        step('Next page button', clicked)
        if (!(clicked.fraction > keyed.fraction)) fail(`the Next page button did not turn forward (${keyed.fraction} -> ${clicked.fraction})`)
        await tab.keyboard.press(backKey)
        await settle()
        const back = await state()
        step(`${backKey} (previous)`, back)
        if (!(back.fraction < clicked.fraction)) fail(`${backKey} did not turn back (${clicked.fraction} -> ${back.fraction})`)

        // The chapter list: the last chapter, then back to the first text page.
        const last = first.chapters.at(-1)
        await tab.selectOption('#chapters', last)
        await settle()
        const chapter = await state()
        step('last chapter', chapter)
        if (!(chapter.index > first.index)) fail(`choosing the last chapter did not go there (section ${chapter.index})`)
        await tab.selectOption('#chapters', first.chapters[0])
        await settle()
        const place = await state()

        // The layout switch reloads the book in the other writing mode at the same place.
        await tab.getByRole('button', { name: otherLayout, exact: false }).click()
        const switched = await until(`the ${otherLayout} book`, { layout: otherLayout })
        step(`layout ${otherLayout}`, switched)
        if (switched.writingMode !== modes[otherLayout].writingMode) {
            fail(`after switching to ${otherLayout}, writing-mode is ${switched.writingMode}, expected ${modes[otherLayout].writingMode}`)
        }
        if (switched.dir !== modes[otherLayout].dir) fail(`after switching to ${otherLayout}, progression is ${switched.dir}`)
        if (switched.index !== place.index) fail(`switching layout lost the place (section ${place.index} -> ${switched.index})`)
        await tab.getByRole('button', { name: layout, exact: false }).click()
        const restored = await until(`the ${layout} book again`, { layout })
        if (restored.writingMode !== expected.writingMode) fail(`switching back left writing-mode ${restored.writingMode}`)

        // The edition switch: the full book, same place.
        await tab.getByRole('button', { name: 'Full' }).click()
        const full = await until('the full edition', { edition: 'full' })
        step('edition full', full)
        if (full.index !== restored.index) fail(`switching edition lost the place (section ${restored.index} -> ${full.index})`)
        await tab.getByRole('button', { name: 'Preview' }).click()
        const preview = await until('the preview edition', { edition: 'preview' })

        // Live reload, when this check started the server on a book folder:
        // a new sentence in the last essay, then an empty essay (an error),
        // then the essay restored.
        if (server) {
            const bookDir = path.resolve(target)
            essay = fs.readdirSync(bookDir).filter(f => /\.(txt|md|markdown)$/.test(f)).sort()
                .map(f => ({ file: path.join(bookDir, f) })).at(-1)
            if (!essay) throw new Error(`${bookDir} holds no essay to edit`)
            essay.text = fs.readFileSync(essay.file)
            const marker = `serve-check ${process.pid}`
            fs.writeFileSync(essay.file, Buffer.concat([essay.text, Buffer.from(`\n\n${marker}\n`)]))
            const edited = await until('the rebuilt book', { generation: preview.generation + 1 }, 10000)
            step('essay edited', edited)
            if (edited.index !== preview.index || edited.page !== preview.page) {
                fail(`the rebuild lost the place (section ${preview.index} page ${preview.page} -> ${edited.index} page ${edited.page})`)
            }
            fs.writeFileSync(essay.file, '')
            try {
                await tab.waitForFunction(() => !document.getElementById('error').hidden, null, { timeout: 10000 })
            } catch { fail('an emptied essay showed no error banner within 10 s') }
            const broken = await state()
            step('essay emptied', broken)
            if (broken.error && !broken.error.includes(path.basename(essay.file))) fail(`the error banner does not name the essay: ${broken.error}`)
            if (broken.generation !== edited.generation || broken.writingMode !== expected.writingMode) fail('the last good book is not shown under the error')
            await tab.screenshot({ path: path.join(outDir, 'serve-error.png') })
            fs.writeFileSync(essay.file, essay.text)
            const fixed = await until('the repaired book', { generation: edited.generation + 1 }, 10000)
            step('essay restored', fixed)
            if (fixed.error) fail(`the error banner stayed after a good build: ${fixed.error}`)
            essay = null
        }
        reportState = { origin }
    } finally {
        await closeBrowser()
    }
} catch (e) {
    fail(`harness: ${e.message}`)
} finally {
    if (essay) fs.writeFileSync(essay.file, essay.text)
    if (server) await stopServer(server)
}

const seconds = ((Date.now() - started) / 1000).toFixed(1)
fs.writeFileSync(path.join(outDir, 'report.json'), JSON.stringify({ target, layout, ...reportState, steps, failures, seconds }, null, 2))
const summary = steps.map(s => `${s.step}: §${s.index} p${s.page} ${s.writingMode} ${s.fraction?.toFixed(3)}`).join('; ')
console.log(`${failures.length ? 'FAIL' : 'ok  '} serve-check ${target} (${layout}, ${seconds} s): ${summary}`)
for (const f of failures) console.log(`     ${f}`)
process.exit(failures.length ? 1 : 0)
