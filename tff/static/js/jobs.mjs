// Keeps a job page current: polls the job's status until it finishes, without a reload.
const WORDS = { queued: 'Waiting', running: 'Running', succeeded: 'Finished', failed: 'Failed' }
const COLOURS = { queued: 'govuk-tag--grey', running: 'govuk-tag--blue', succeeded: 'govuk-tag--green', failed: 'govuk-tag--red' }

function render (root, job) {
  const tag = root.querySelector('.tff-job-state')
  tag.className = 'govuk-tag tff-job-state ' + COLOURS[job.state]
  tag.dataset.state = job.state
  tag.textContent = WORDS[job.state]
  const bar = root.querySelector('progress')
  if (job.percent === null) bar.removeAttribute('value')
  else bar.value = job.percent
  const figures = root.querySelector('.tff-job__figures')
  if (job.total) figures.textContent = `${job.done.toLocaleString('en-GB')} of ${job.total.toLocaleString('en-GB')} ${job.unit || ''} (${job.percent}%)`
  else if (job.state === 'succeeded') figures.textContent = 'Done'
  root.querySelector('.tff-job__message').textContent = job.message || ''
  root.querySelector('.tff-job__waiting').hidden = !job.waiting_for_worker
}

function watch (root) {
  const url = root.dataset.statusUrl
  const tick = async () => {
    let job
    try {
      const response = await fetch(url, { headers: { Accept: 'application/json' }, credentials: 'same-origin' })
      // Signed out meanwhile (the session expired): reload, which leads to the sign-in page.
      if (response.redirected) { window.location.reload(); return }
      if (!response.ok) throw new Error(response.statusText)
      job = await response.json()
    } catch (e) {
      setTimeout(tick, 5000)
      return
    }
    render(root, job)
    // The result list is drawn by the server: reload once when the job ends.
    if (job.finished) window.location.reload()
    else setTimeout(tick, 1000)
  }
  setTimeout(tick, 1000)
}

export function watchJobs (document) {
  document.querySelectorAll('[data-module="tff-job"]').forEach((root) => {
    if (root.dataset.finished !== 'true') watch(root)
  })
}
