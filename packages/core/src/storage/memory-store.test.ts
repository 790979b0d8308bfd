import { describeStoreCompliance } from '../testing/index.js'
import { createStore } from './create-store.js'

describeStoreCompliance({ name: 'memory://', create: () => createStore('memory://') })
