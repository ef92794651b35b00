// The reader page of `wenji serve`: shows the book the server builds in
// foliate-js's <foliate-view>, lets the writer switch edition and layout,
// reloads the book after every build while keeping the reader's place, and
// shows a failed build's error over the last good book. Server text is only
// ever set as textContent.
import '/reader/foliate-js/view.js'
import { collapse } from '/reader/foliate-js/epubcfi.js'

const $ = id => document.getElementById(id)

const state = {
    edition: 'preview',
    layout: 'vertical',
    // The newest generation the server announced, and the one on screen.
    wanted: 0,
    shown: 0,
    // The <foliate-view> on screen; each load makes a new one behind it.
    view: null,
    // What the last load was for ("generation edition layout"); loads run
    // one at a time until it is what is wanted.
    attempted: '',
    loading: false,
    // Set when the event stream dropped: the next build event reloads.
    lostEvents: false,
    error: '',
    updated: null,
}

const bookURL = (edition, layout) =>
    `/book${edition === 'full' ? '.full' : ''}.epub?layout=${layout}`

const titleOf = metadata => {
    const title = metadata?.title
    if (!title) return ''
    return typeof title === 'string' ? title : Object.values(title)[0] ?? ''
}

const showError = message => {
    state.error = message
    $('error').textContent = message
    $('error').hidden = !message
    showStatus()
}

const showStatus = () => {
    const parts = [state.shown ? `generation ${state.shown}` : 'no book yet']
    if (state.updated) parts.push(`updated ${state.updated.toLocaleTimeString()}`)
    parts.push(state.edition, state.layout)
    if (state.error) parts.push(state.shown ? 'last build failed: showing the last good book' : 'build failed')
    if (state.lostEvents) parts.push('server unreachable, retrying…')
    $('status').textContent = parts.join(' · ')
}

const showSwitches = () => {
    for (const button of document.querySelectorAll('[data-edition]'))
        button.setAttribute('aria-pressed', String(button.dataset.edition === state.edition))
    for (const button of document.querySelectorAll('[data-layout]'))
        button.setAttribute('aria-pressed', String(button.dataset.layout === state.layout))
}

// The book as a File: foliate-js reads it from memory, whatever the URL.
const fetchBook = async url => {
    const response = await fetch(url, { cache: 'no-store' })
    if (!response.ok) {
        const text = (await response.text()).trim()
        throw new Error(text || `${url}: ${response.status} ${response.statusText}`)
    }
    return new File([await response.blob()], 'book.epub', { type: 'application/epub+zip' })
}

// Where the reader is, and how to come back there in a rebuilt book (or
// the other edition or layout): by the CFI of the page's start (the page's
// end may no longer exist), else by fraction, else the text start.
const placeOf = view => view?.lastLocation
    ? { cfi: view.lastLocation.cfi && collapse(view.lastLocation.cfi), fraction: view.lastLocation.fraction }
    : null

const goToPlace = async (view, place) => {
    if (place?.cfi && await view.goTo(place.cfi)) return
    if (typeof place?.fraction === 'number') return view.goToFraction(place.fraction)
    return view.goToTextStart()
}

// Closes a view once its last animation frames have run (foliate's
// paginator still draws in them).
const dropView = view => {
    view.remove()
    requestAnimationFrame(() => requestAnimationFrame(() => view.close()))
}

const wantedKey = () => `${state.wanted} ${state.edition} ${state.layout}`

// Loads what is wanted, again and again while builds or switches arrive
// during a load, so that loads never overlap.
const reload = async () => {
    if (state.loading) return
    state.loading = true
    $('reader').setAttribute('aria-busy', 'true')
    while (state.attempted !== wantedKey()) {
        state.attempted = wantedKey()
        await load(state.wanted, state.edition, state.layout)
    }
    state.loading = false
    $('reader').setAttribute('aria-busy', 'false')
}

// Opens one build of the book behind the one shown, at the reader's place,
// then swaps them; on failure the shown book stays.
const load = async (generation, edition, layout) => {
    const place = placeOf(state.view)
    const view = document.createElement('foliate-view')
    view.classList.add('loading')
    view.addEventListener('load', ({ detail: { doc } }) => doc.addEventListener('keydown', onKey))
    view.addEventListener('relocate', ({ detail }) => showChapter(detail.tocItem))
    try {
        const file = await fetchBook(bookURL(edition, layout))
        $('book').append(view)
        await view.open(file)
        await goToPlace(view, place)
        if (state.view) dropView(state.view)
        view.classList.remove('loading')
        state.view = view
        state.shown = generation
        state.updated = new Date()
        showBook(view, edition, layout)
    } catch (e) {
        dropView(view)
        showError(e.message)
    }
}

const showBook = (view, edition, layout) => {
    const { book } = view
    const title = titleOf(book.metadata)
    $('title').textContent = title || 'wenji'
    document.title = title ? `${title} · wenji serve` : 'wenji serve'
    // The page-turn buttons follow the book: in a right-to-left book
    // (vertical CJK) the next page is on the left.
    const rtl = book.dir === 'rtl'
    $('page-left').setAttribute('aria-label', rtl ? 'Next page' : 'Previous page')
    $('page-right').setAttribute('aria-label', rtl ? 'Previous page' : 'Next page')
    $('page-left').disabled = $('page-right').disabled = false
    const reader = $('reader')
    reader.dataset.generation = state.shown
    reader.dataset.edition = edition
    reader.dataset.layout = layout
    fillChapters(book.toc ?? [])
    showChapter(view.lastLocation?.tocItem)
    showStatus()
}

const fillChapters = toc => {
    const select = $('chapters')
    select.replaceChildren()
    const add = (items, depth) => {
        for (const item of items) {
            const option = document.createElement('option')
            option.value = item.href
            option.textContent = '\u3000'.repeat(depth) + (item.label ?? '').trim()
            select.append(option)
            if (item.subitems?.length) add(item.subitems, depth + 1)
        }
    }
    add(toc, 0)
    select.disabled = toc.length === 0
}

const showChapter = tocItem => {
    const select = $('chapters')
    if (tocItem?.href && [...select.options].some(o => o.value === tocItem.href)) select.value = tocItem.href
}

// Arrow keys turn pages the way the book reads: in a right-to-left book,
// ← is the next page.
const onKey = event => {
    if (!state.view || event.target.closest?.('select, input, textarea')) return
    if (event.key === 'ArrowLeft') state.view.goLeft()
    else if (event.key === 'ArrowRight') state.view.goRight()
    else return
    event.preventDefault()
}

document.addEventListener('keydown', onKey)
$('page-left').addEventListener('click', () => state.view?.goLeft())
$('page-right').addEventListener('click', () => state.view?.goRight())
$('chapters').addEventListener('change', event => state.view?.goTo(event.target.value))
for (const button of document.querySelectorAll('[data-edition], [data-layout]')) {
    button.addEventListener('click', () => {
        const { edition, layout } = button.dataset
        if ((edition ?? state.edition) === state.edition && (layout ?? state.layout) === state.layout) return
        state.edition = edition ?? state.edition
        state.layout = layout ?? state.layout
        showSwitches()
        showStatus()
        if (state.wanted) reload()
    })
}

const listen = () => {
    const events = new EventSource('/events')
    events.addEventListener('build', event => {
        const { generation } = JSON.parse(event.data)
        showError('')
        // After the stream dropped, the server may have restarted with the
        // same generation number and another book: reload all the same.
        if (state.lostEvents) state.attempted = ''
        state.lostEvents = false
        state.wanted = generation
        reload()
    })
    // The server's `error` events carry data; the connection's own error
    // events (the server stopped) do not, and EventSource retries by itself.
    events.addEventListener('error', event => {
        if (event.data) {
            showError(JSON.parse(event.data).message)
        } else {
            state.lostEvents = true
            showStatus()
        }
    })
}

const start = async () => {
    showSwitches()
    try {
        const response = await fetch('/status', { cache: 'no-store' })
        if (!response.ok) throw new Error(`/status: ${response.status} ${response.statusText}`)
        const status = await response.json()
        if (status.layout === 'vertical' || status.layout === 'horizontal') state.layout = status.layout
        if (status.title) $('title').textContent = status.title
        showSwitches()
        if (status.error) showError(status.error)
        state.wanted = status.generation
        if (status.generation > 0) reload()
        else $('reader').setAttribute('aria-busy', 'false')
    } catch (e) {
        showError(`The server did not answer: ${e.message}`)
    }
    showStatus()
    listen()
}

start()
