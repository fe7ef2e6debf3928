/**
 * Uppy + AWS S3 plugin with presigned PUTs to a bucket on another host, the way apps sign on their own
 * backend (here the page signs; the bucket host answers CORS like S3).
 */
import AwsS3 from '@uppy/aws-s3';
import { uppyWithDashboard } from './shared/uppy.js';

const BUCKET = `https://ug-test-bucket.s3.ap-northeast-1.amazonaws.com:${location.port}/s3/ug-test-bucket`;

uppyWithDashboard().use(AwsS3, {
  shouldUseMultipart: false,
  generateObjectKey: (file) => `uploads/${file.name}`,
  signRequest: (req) => ({
    url: `${BUCKET}/${req.key.split('/').map(encodeURIComponent).join('/')}?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Signature=test`,
  }),
});
