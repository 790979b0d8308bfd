import { createStore } from '@polytoken/core'
import { storeComplianceSuite } from './compliance.js'

storeComplianceSuite('memory://', () => createStore('memory://'))
