// What the reader checks (render-check, epubjs-check, serve-check) share:
// headless Debian Chromium on a throwaway profile, and a local server for a
// host page, its script, the book and the npm modules the page imports.

import fs from 'node:fs'
import http from 'node:http'
import os from 'node:os'
import path from 'node:path'

// Headless Chromium ($CHROMIUM, never a downloaded browser) on a fresh
// profile named after the check; `close()` ends it and removes the profile.
export async function launchChromium(chromium, check, viewport) {
    const profile = fs.mkdtempSync(path.join(os.tmpdir(), `wenji-${check}-`))
    const context = await chromium.launchPersistentContext(profile, {
        executablePath: process.env.CHROMIUM,
        headless: true,
        viewport,
        args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
            '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    })
    const close = async () => {
        await context.close()
        fs.rmSync(profile, { recursive: true, force: true })
    }
    return { context, close }
}

const types = { '.js': 'text/javascript', '.html': 'text/html', '.epub': 'application/epub+zip' }

// Serves `page` at /, `host` at /host.js, the EPUB file `book` at
// /book.epub and the files under `modules` at /modules/… on 127.0.0.1 (a
// free port); nothing else. Returns the origin and `close()`.
export async function serveHost({ page, host, book, modules }) {
    const server = http.createServer((req, res) => {
        const url = decodeURIComponent(new URL(req.url, 'http://x').pathname)
        const send = (body, type) => res.writeHead(200, { 'Content-Type': type }).end(body)
        if (url === '/') return send(page, types['.html'])
        if (url === '/host.js') return send(host, types['.js'])
        if (url === '/book.epub') return send(fs.readFileSync(book), types['.epub'])
        if (url === '/favicon.ico') return res.writeHead(204).end()
        if (url.startsWith('/modules/')) {
            const file = path.resolve(modules, '.' + path.posix.normalize(url.slice('/modules'.length)))
            if (file.startsWith(modules + path.sep) && fs.existsSync(file)) {
                return send(fs.readFileSync(file), types[path.extname(file)] ?? 'application/octet-stream')
            }
        }
        res.writeHead(404).end()
    })
    await new Promise(resolve => server.listen(0, '127.0.0.1', resolve))
    return { origin: `http://127.0.0.1:${server.address().port}`, close: () => server.close() }
}
