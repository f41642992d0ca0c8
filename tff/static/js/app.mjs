import { initAll } from '/static/govuk/govuk-frontend.min.js'
import { watchJobs } from '/static/js/jobs.mjs'

initAll()
watchJobs(document)
